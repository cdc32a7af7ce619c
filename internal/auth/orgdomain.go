package auth

import (
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// OrgDomain returns the organizational domain of domain (RFC 7489 §3.2):
// its public suffix plus one label, using the Public Suffix List embedded in
// golang.org/x/net/publicsuffix (ICANN and private sections; a TLD missing
// from the list counts as a public suffix, the "*" rule).
//
// The answer is lower-case without a trailing dot, in the form of the input:
// A-labels ("xn--...") for ASCII input, U-labels for Unicode input. It is ""
// when domain is empty, has an empty label (".example.com"), is itself a
// public suffix ("com", "co.uk"), or is not a valid IDNA name.
func OrgDomain(domain string) string {
	d := strings.ToLower(strings.TrimSuffix(domain, "."))
	if d == "" {
		return ""
	}
	ascii := isASCII(d)
	if !ascii {
		a, err := idna.Lookup.ToASCII(d)
		if err != nil {
			return ""
		}
		d = a
	}
	org, err := publicsuffix.EffectiveTLDPlusOne(d)
	if err != nil {
		return ""
	}
	if !ascii {
		u, err := idna.Lookup.ToUnicode(org)
		if err != nil {
			return ""
		}
		return u
	}
	return org
}

// orgOrSelf is OrgDomain, or the domain itself when it has no
// organizational domain (a public suffix used as a mail domain).
func orgOrSelf(domain string) string {
	if org := OrgDomain(domain); org != "" {
		return org
	}
	return strings.ToLower(strings.TrimSuffix(domain, "."))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
