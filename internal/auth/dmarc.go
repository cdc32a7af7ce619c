package auth

import (
	"context"

	"milter91/internal/dmarc"
	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// PSL is the organizational domain of the public suffix list method
// (RFC 7489 §3.2, mailmsg.OrgDomain), for a dmarc.Checker whose operator
// configured it instead of the DNS tree walk (RFC 9989 §4.10).
func PSL(domain string) string { return orgOrSelf(domain) }

// CheckDMARC evaluates DMARC (RFC 9989, internal/dmarc: policy discovery
// by the DNS tree walk, or c.PSL; np, psd, t; RFC 7489 records read as
// RFC 9989 reads them) for a message whose RFC5322.From is from
// (mailmsg.View.From), given the message's SPF and DKIM facts.
//
// The From domain must be one: zero From addresses, an unparsable field, or
// addresses in several domains give Result permerror with a Detail and no
// Domain (RFC 9989 §5.3.1; the rules decide). Several From fields with
// addresses in one domain are evaluated.
//
// SPF takes part only for the mailfrom identity (RFC 9989 §3.2.4), DKIM
// with every signature's d= and result. A DNS failure that leaves the
// answer open (a timeout, SERVFAIL, on the walk or on an identifier that
// could have aligned) gives temperror, never fail (RFC 9989 §5.3.6).
// Policy is the one that applies (p, sp or np); Pct is RFC 7489's pct=
// (100 when absent). Neither is applied here.
func CheckDMARC(ctx context.Context, c *dmarc.Checker, from mailmsg.From, spfRes txn.SPF, dkimRes []txn.DKIM) txn.DMARC {
	domain, why := fromDomain(from)
	if domain == "" {
		return txn.DMARC{Result: txn.ResultPermerror, Detail: why}
	}
	in := dmarc.Input{AuthorDomain: domain}
	if spfRes.Identity == IdentityMailFrom {
		in.SPF = dmarc.Identifier{Domain: spfRes.Domain, Result: spfRes.Result}
	}
	for _, d := range dkimRes {
		in.DKIM = append(in.DKIM, dmarc.Identifier{Domain: d.Domain, Result: d.Result})
	}
	r := c.Evaluate(ctx, in)
	out := txn.DMARC{
		Result: r.Result, Domain: domain, OrgDomain: r.OrgDomain, PolicyDomain: r.PolicyDomain,
		PolicyTag: r.PolicyTag, Testing: r.Testing, Requested: string(r.Requested),
		SPFAligned: r.SPFAligned, DKIMAligned: r.DKIMAligned, Discovery: r.Discovery, Detail: r.Detail,
	}
	if out.OrgDomain == "" {
		out.OrgDomain = domain
	}
	if rec := r.Record; rec != nil && r.Result != txn.ResultNone {
		out.Record = publishedRecord(rec)
		out.Policy = string(r.Policy)
		if r.Result == txn.ResultPass || out.Policy == "" {
			out.Policy = string(rec.Policy)
		}
		if out.Policy == "" {
			out.Policy = string(dmarc.PolicyNone) // a record with rua but no valid p (RFC 9989 §4.10.1)
		}
		out.Pct = 100
		if rec.Pct >= 0 {
			out.Pct = rec.Pct
		}
	}
	return out
}

// publishedRecord is what an aggregate report says of rec.
func publishedRecord(rec *dmarc.Record) *txn.DMARCRecord {
	return &txn.DMARCRecord{
		P: string(rec.Policy), SP: string(rec.SubdomainPolicy), NP: string(rec.NonexistentPolicy), FO: rec.FO,
		ADKIM: string(rec.ADKIM), ASPF: string(rec.ASPF), Testing: rec.Testing, RUA: rec.RUA, RUF: rec.RUF,
	}
}
