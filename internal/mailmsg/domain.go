package mailmsg

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// Domain is a domain name in both its forms: ASCII, lower case, with
// A-labels ("xn--…") for internationalized labels, the form DNS lookups
// and every comparison use (RFC 8616 §3, §5); Unicode, its U-labels
// (RFC 5890 §2.3.2.1), "" when the name has no internationalized label.
// Neither has a trailing dot. Get one from ParseDomain; the zero Domain is
// no name.
type Domain struct {
	ASCII   string
	Unicode string
}

// Name returns the Unicode form when there is one, else the ASCII form:
// the name to show a person.
func (d Domain) Name() string {
	if d.Unicode != "" {
		return d.Unicode
	}
	return d.ASCII
}

// IsZero reports whether d is no name.
func (d Domain) IsZero() bool { return d.ASCII == "" }

// String is Name, with the ASCII form after a slash for an
// internationalized name ("ví-dụ.vn/xn--v-d-rma6749a.vn"), for logs.
func (d Domain) String() string {
	if d.Unicode == "" {
		return d.ASCII
	}
	return d.Unicode + "/" + d.ASCII
}

var errEmptyDomain = errors.New("empty domain")

// ParseDomain parses a domain as mail carries it: surrounding whitespace
// and one trailing dot are dropped. An all-ASCII name must be an RFC 5322
// §3.4.1 dot-atom (labels of atext, none empty: "_" and "+" pass, a space
// or an empty label does not) and is lower-cased; A-labels in it are
// decoded for Unicode when they are valid. A name with non-ASCII
// characters is mapped with the IDNA lookup profile (UTS #46, RFC 5891
// §5): mapped to lower case, NFC, then converted to A-labels. Time is
// linear in len(s). The error says why s is no domain.
func ParseDomain(s string) (Domain, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	if s == "" {
		return Domain{}, errEmptyDomain
	}
	if !isASCII(s) {
		return parseIDN(s)
	}
	if err := checkDotAtom(s); err != nil {
		return Domain{}, fmt.Errorf("domain %q: %w", s, err)
	}
	d := Domain{ASCII: strings.ToLower(s)}
	if strings.Contains(d.ASCII, "xn--") {
		if u, err := idna.Lookup.ToUnicode(d.ASCII); err == nil && u != d.ASCII {
			d.Unicode = u
		}
	}
	return d, nil
}

// parseIDN converts a name with non-ASCII characters.
func parseIDN(s string) (Domain, error) {
	a, err := idna.Lookup.ToASCII(s)
	if err != nil {
		return Domain{}, fmt.Errorf("domain %q is not a valid IDNA name: %v", s, err)
	}
	if err := checkDotAtom(a); err != nil {
		return Domain{}, fmt.Errorf("domain %q: %w", s, err)
	}
	u, err := idna.Lookup.ToUnicode(a)
	if err != nil || u == a {
		u = ""
	}
	return Domain{ASCII: a, Unicode: u}, nil
}

// checkDotAtom checks an ASCII name: dot-separated labels of atext
// (RFC 5322 §3.2.3), none empty.
func checkDotAtom(s string) error {
	label := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if label == 0 {
				return errors.New("empty label")
			}
			label = 0
			continue
		case !isAtext(c):
			return fmt.Errorf("character %q not allowed", c)
		}
		label++
	}
	if label == 0 {
		return errors.New("empty label")
	}
	return nil
}

// isAtext reports whether c is RFC 5322 §3.2.3 atext.
func isAtext(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return c < 0x80 && strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// OrgDomain returns the organizational domain of d (RFC 7489 §3.2): its
// public suffix plus one label, from the Public Suffix List embedded in
// golang.org/x/net/publicsuffix (ICANN and private sections; a TLD the
// list does not know counts as a public suffix, its "*" rule). ok is false
// when d is itself a public suffix ("com", "co.uk") or zero: org is then
// d, which a public suffix used as a mail domain stands for. The one
// organizational-domain function of milter91: DMARC alignment, the
// Decree 91/2020 advertiser id, the registry and the blocklists all call
// it, and compare its ASCII form.
func OrgDomain(d Domain) (org Domain, ok bool) {
	if d.IsZero() {
		return d, false
	}
	a, err := publicsuffix.EffectiveTLDPlusOne(d.ASCII)
	if err != nil {
		return d, false
	}
	if a == d.ASCII {
		return d, true
	}
	org = Domain{ASCII: a}
	if d.Unicode != "" {
		if u, err := idna.Lookup.ToUnicode(a); err == nil && u != a {
			org.Unicode = u
		}
	}
	return org, true
}
