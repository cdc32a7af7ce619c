package dmarc

import (
	"net/url"
	"strings"

	"milter91/internal/mailmsg"
)

// maxURIs bounds the reporting URIs kept from one tag: RFC 9990 lets a
// receiver limit how many it supports.
const maxURIs = 8

// parseURIList parses a dmarc-urilist (RFC 9989 §4.8): URIs separated by
// commas, each with an optional obsolete "!size" suffix, which is
// dropped. A URI without a scheme, or a mailto: URI without one valid
// address, is dropped with a problem on r.
func parseURIList(value string, r *Record) []string {
	var out []string
	for u := range strings.SplitSeq(value, ",") {
		u = strings.Trim(u, " \t")
		if i := strings.LastIndexByte(u, '!'); i >= 0 && obsSize(u[i+1:]) {
			u = u[:i]
		}
		if !validURI(u) {
			r.problem("reporting URI %q is not valid", u)
			continue
		}
		if len(out) == maxURIs {
			r.problem("more than %d reporting URIs: the rest are ignored", maxURIs)
			break
		}
		out = append(out, u)
	}
	return out
}

// obsSize reports whether s is an obs-dmarc-report-size without its "!":
// 1*DIGIT [ "k" / "m" / "g" / "t" ].
func obsSize(s string) bool {
	s = strings.TrimRight(strings.ToLower(s), "kmgt")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) <= 20
}

// validURI reports whether u is an absolute URI (RFC 3986) and, for
// mailto:, holds exactly one address with a domain.
func validURI(u string) bool {
	p, err := url.Parse(u)
	if err != nil || p.Scheme == "" || p.Opaque == "" && p.Host == "" {
		return false
	}
	if !strings.EqualFold(p.Scheme, "mailto") {
		return true
	}
	_, err = MailtoAddress(u)
	return err == nil
}

// MailtoAddress returns the address of a mailto: reporting URI
// ("mailto:dmarc@example.com" → "dmarc@example.com"), its %-escapes
// decoded and any ?query dropped.
func MailtoAddress(u string) (string, error) {
	p, err := url.Parse(u)
	if err != nil {
		return "", err
	}
	a, err := oneAddress(p.Opaque)
	if err != nil {
		if o, uerr := url.PathUnescape(p.Opaque); uerr == nil {
			a, err = oneAddress(o)
		}
	}
	if err != nil {
		return "", err
	}
	if at := strings.LastIndexByte(a, '@'); at < 0 || at == len(a)-1 {
		return "", &url.Error{Op: "parse", URL: u, Err: errNoDomain}
	}
	return a, nil
}

// oneAddress is the addr-spec of s, which must be one mailbox.
func oneAddress(s string) (string, error) {
	list, err := mailmsg.ParseAddressList(s)
	if err != nil {
		return "", err
	}
	if len(list) != 1 {
		return "", errNotOne
	}
	return list[0].Addr, nil
}

type uriError string

func (e uriError) Error() string { return string(e) }

const (
	errNoDomain = uriError("the address has no domain")
	errNotOne   = uriError("not one address")
)
