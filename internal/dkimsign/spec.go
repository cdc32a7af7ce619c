package dkimsign

import (
	"fmt"
	"strings"

	"golang.org/x/net/idna"
)

// KeySpec is one entry of the dkim.sign config list:
//
//	dkim:
//	  sign:
//	    - {domain: example.test, selector: s2026r, key: keys/example.test.s2026r.key}
//
// Key is a file name, relative names taken from the config file's
// directory by the caller.
type KeySpec struct {
	Domain   string `yaml:"domain"`
	Selector string `yaml:"selector"`
	Key      string `yaml:"key"`
}

// Problem is one invalid dkim.sign entry: Path is the YAML path of the
// offending value from the config root ("dkim.sign[1].selector"), so
// that the config package can give its position; Msg says what is wrong.
type Problem struct {
	Path string
	Msg  string
}

// Problems is every problem found, in list order.
type Problems []Problem

// Error returns "path: msg", one problem per line.
func (p Problems) Error() string {
	lines := make([]string, len(p))
	for i, e := range p {
		lines[i] = e.Path + ": " + e.Msg
	}
	return strings.Join(lines, "\n")
}

// CheckSpecs returns the problems of specs without reading a key file:
// a missing or malformed domain or selector (RFC 6376 §3.1: the selector
// is one or more DNS labels), a missing key file name, and a domain and
// selector listed twice. Domains and selectors are compared
// case-insensitively, Unicode domains as their A-labels.
func CheckSpecs(specs []KeySpec) Problems {
	var out Problems
	seen := map[string]int{}
	for i, s := range specs {
		at := fmt.Sprintf("dkim.sign[%d]", i)
		d, err := normDomain(s.Domain)
		if err != nil {
			out = append(out, Problem{at + ".domain", err.Error()})
		}
		sel := strings.ToLower(s.Selector)
		if !validLabels(sel) {
			out = append(out, Problem{at + ".selector", fmt.Sprintf("selector %q is not one or more DNS labels (RFC 6376 §3.1)", s.Selector)})
		}
		if s.Key == "" {
			out = append(out, Problem{at + ".key", "no key file"})
		}
		if err != nil || !validLabels(sel) {
			continue
		}
		if j, dup := seen[sel+"._domainkey."+d]; dup {
			out = append(out, Problem{at + ".selector", fmt.Sprintf("selector %s of %s is listed twice (dkim.sign[%d])", sel, d, j)})
			continue
		}
		seen[sel+"._domainkey."+d] = i
	}
	return out
}

// normDomain returns domain in lower-case A-labels without a final dot,
// or an error when it is empty or not a valid host name.
func normDomain(domain string) (string, error) {
	d := strings.ToLower(strings.TrimSuffix(domain, "."))
	if d == "" {
		return "", fmt.Errorf("no domain")
	}
	a, err := idna.Lookup.ToASCII(d)
	if err != nil || !validLabels(a) || !strings.Contains(a, ".") {
		return "", fmt.Errorf("domain %q is not a valid domain name", domain)
	}
	return a, nil
}

// validLabels reports whether s is one or more dot-separated LDH labels
// of 1-63 characters (underscores allowed: selectors use them), at most
// 253 characters in all.
func validLabels(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for l := range strings.SplitSeq(s, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
