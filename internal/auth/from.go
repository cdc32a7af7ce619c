package auth

import (
	"fmt"
	"io"
	"mime"
	"net/mail"
	"strings"

	"golang.org/x/net/idna"

	"milter91/internal/mailmsg"
)

// fromParser parses address lists without decoding display names: only the
// addr-spec matters here, and an RFC 2047 word in an unknown charset must not
// make the whole From field unparsable.
var fromParser = mail.AddressParser{WordDecoder: &mime.WordDecoder{
	CharsetReader: func(_ string, input io.Reader) (io.Reader, error) { return input, nil },
}}

// fromDomain returns the single RFC5322.From domain of the raw From field
// values (folded or not), in lower-case ASCII (A-labels), or "" and the
// reason: no From address, an unparsable field, a domain-literal, or
// addresses in several domains (RFC 7489 §6.6.1).
func fromDomain(values []string) (string, string) {
	domains := map[string]bool{}
	var first string
	for _, v := range values {
		addrs, err := fromParser.ParseList(mailmsg.Unfold(v))
		if err != nil {
			return "", fmt.Sprintf("unparsable From field: %v", err)
		}
		for _, a := range addrs {
			d, err := addrDomain(a.Address)
			if err != nil {
				return "", err.Error()
			}
			if !domains[d] {
				domains[d] = true
				first = d
			}
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

// addrDomain returns the domain of an addr-spec in lower-case ASCII.
func addrDomain(addr string) (string, error) {
	at := strings.LastIndexByte(addr, '@')
	d := strings.ToLower(strings.TrimSuffix(addr[at+1:], "."))
	switch {
	case at < 0 || d == "":
		return "", fmt.Errorf("the From address %q has no domain", addr)
	case strings.HasPrefix(d, "["):
		return "", fmt.Errorf("the From address %q has a domain-literal", addr)
	case isASCII(d):
		return d, nil
	}
	a, err := idna.Lookup.ToASCII(d)
	if err != nil {
		return "", fmt.Errorf("the From domain %q is not a valid IDNA name: %v", d, err)
	}
	return a, nil
}
