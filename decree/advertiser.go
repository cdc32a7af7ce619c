package decree

import (
	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// advertiserID returns the advertiser id (our choice, docs/decree-analysis.md): the
// organizational domain (mailmsg.OrgDomain: RFC 7489 §3.2, Public Suffix
// List) of the d= of the first passing DKIM signature aligned with
// fromDomain (same organizational domain, RFC 7489 §3.1.1 relaxed mode),
// else that of fromDomain itself. Domains are compared and returned as
// lower-case A-labels without a trailing dot; a domain that is itself a
// public suffix stands for itself. It is "" when fromDomain is empty or
// not a valid domain name (mailmsg.ParseDomain).
//
// Under relaxed alignment an aligned d= has by definition the From
// domain's organizational domain, so the answer is that of the From domain
// whenever one exists; the DKIM check keeps the documented rule explicit.
func advertiserID(dkim []txn.DKIM, fromDomain string) string {
	from := orgOrSelf(fromDomain)
	if from == "" {
		return ""
	}
	for _, d := range dkim {
		if d.Result == txn.ResultPass {
			if org := orgOrSelf(d.Domain); org == from {
				return org
			}
		}
	}
	return from
}

// orgOrSelf returns the organizational domain of domain as a lower-case
// A-label, the domain itself when it is a public suffix, "" when it is
// empty or no domain.
func orgOrSelf(domain string) string {
	d, err := mailmsg.ParseDomain(domain)
	if err != nil {
		return ""
	}
	org, _ := mailmsg.OrgDomain(d)
	return org.ASCII
}
