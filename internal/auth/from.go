package auth

import (
	"fmt"
	"strings"

	"milter91/internal/mailmsg"
)

// fromDomain returns the single RFC5322.From domain of from (the
// message's From, parsed once by mailmsg), in lower-case ASCII
// (A-labels), or "" and the reason: no From address, an unparsable
// field, a domain-literal, or addresses in several domains
// (RFC 7489 §6.6.1).
func fromDomain(from mailmsg.From) (string, string) {
	if from.Status == mailmsg.FromUnparsable {
		return "", fmt.Sprintf("unparsable From field: %v", from.Err)
	}
	domains := map[string]bool{}
	var first string
	for _, a := range from.Addresses {
		d, err := addrDomain(a)
		if err != nil {
			return "", err.Error()
		}
		if !domains[d] {
			domains[d] = true
			first = d
		}
	}
	switch len(domains) {
	case 0:
		return "", "no RFC5322.From address"
	case 1:
		return first, ""
	default:
		return "", fmt.Sprintf("RFC5322.From has addresses in %d domains", len(domains))
	}
}

// addrDomain returns the domain of a From mailbox in lower-case ASCII
// (A-labels, RFC 8616 §5).
func addrDomain(a mailmsg.Address) (string, error) {
	d := strings.TrimSuffix(a.Domain(), ".")
	switch {
	case d == "" || !strings.Contains(a.Addr, "@"):
		return "", fmt.Errorf("the From address %q has no domain", a.Addr)
	case strings.HasPrefix(d, "["):
		return "", fmt.Errorf("the From address %q has a domain-literal", a.Addr)
	case isASCII(d):
		return d, nil
	}
	dom, err := mailmsg.ParseDomain(d)
	if err != nil {
		return "", fmt.Errorf("the From %w", err)
	}
	return dom.ASCII, nil
}

// orgOrSelf is the organizational domain of domain (mailmsg.OrgDomain,
// RFC 7489 §3.2) in lower-case ASCII, or domain itself, lower-cased, when
// it is a public suffix or no domain mailmsg can parse.
func orgOrSelf(domain string) string {
	d, err := mailmsg.ParseDomain(domain)
	if err != nil {
		return strings.ToLower(strings.TrimSuffix(domain, "."))
	}
	org, _ := mailmsg.OrgDomain(d)
	return org.ASCII
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
