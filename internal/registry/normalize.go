package registry

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"milter91/internal/mailmsg"
)

// Consent methods (Decree 91/2020 Art. 11.2 b, c, d).
const (
	MethodForm     = "form"     // paper, web, app or social-network form (Art. 11.2.b)
	MethodCallSMS  = "call_sms" // call or SMS to the advertiser (Art. 11.2.c)
	MethodSoftware = "software" // sign-up software (Art. 11.2.d)
)

// Refusal channels (Decree 91/2020 Art. 20.2) plus the two ways a refusal
// reaches the registry without a human: the management API and capture of
// a local user's mail to a refusal mailbox.
const (
	ChannelWeb      = "web"
	ChannelEmail    = "email"
	ChannelPhone    = "phone"
	ChannelAPI      = "api"
	ChannelCaptured = "captured"
)

// ScopeAll is the refusal scope covering all of an advertiser's products
// (Art. 20.1); any other scope names one product or group (Art. 13.4).
// A product literally named "all" therefore cannot be refused alone.
const ScopeAll = "all"

// DefaultCap is the number of advertising emails allowed per advertiser and
// recipient in a rolling 24 h when no other maximum was agreed
// (Art. 13.5).
const DefaultCap = 3

// MaxAgreedCap bounds an agreed maximum per 24 h (our choice: a sanity
// limit against typos, one ad every ~90 s).
const MaxAgreedCap = 1000

func validMethod(m string) bool {
	return m == MethodForm || m == MethodCallSMS || m == MethodSoftware
}

func validChannel(c string) bool {
	switch c {
	case ChannelWeb, ChannelEmail, ChannelPhone, ChannelAPI, ChannelCaptured:
		return true
	}
	return false
}

// normDomain lower-cases d and drops a trailing dot; it rejects empty
// names and names with characters no host name has.
func normDomain(d string) (string, error) {
	d = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
	if d == "" {
		return "", errors.New("empty domain")
	}
	for _, r := range d {
		if r != '.' && r != '-' && r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return "", fmt.Errorf("domain %q: invalid character %q", d, r)
		}
	}
	if strings.HasPrefix(d, ".") || strings.Contains(d, "..") {
		return "", fmt.Errorf("domain %q: empty label", d)
	}
	// Mail carries internationalized domains as A-labels (the analysis
	// computes "xn--…"); store them so, whatever form was typed, with the
	// parser the analysis uses.
	a, err := mailmsg.ParseDomain(d)
	if err != nil {
		return "", err
	}
	return a.ASCII, nil
}

// normAdvertiser normalises an advertiser id as the message analysis
// computes it: a lower-case domain without trailing dot.
func normAdvertiser(a string) (string, error) {
	d, err := normDomain(a)
	if err != nil {
		return "", fmt.Errorf("advertiser: %w", err)
	}
	return d, nil
}

// checkAdvertiser is normAdvertiser plus the rule that the id is an
// organizational domain (mailmsg.OrgDomain, RFC 7489 §3.2), so that a
// record entered by hand can match the id the analysis computes; used
// for management input.
func checkAdvertiser(a string) (string, error) {
	d, err := normAdvertiser(a)
	if err != nil {
		return "", err
	}
	dom, err := mailmsg.ParseDomain(d)
	if err != nil {
		return "", fmt.Errorf("advertiser: %w", err)
	}
	org, ok := mailmsg.OrgDomain(dom)
	switch {
	case !ok:
		return "", fmt.Errorf("advertiser %q is a public suffix: cannot derive an organizational domain from it", d)
	case org.ASCII != d:
		return "", fmt.Errorf("advertiser %q is not an organizational domain (use %q)", d, org.ASCII)
	}
	return d, nil
}

// normAddress normalises a recipient address: surrounding spaces and one
// pair of angle brackets removed, then the WHOLE address lower-cased.
// RFC 5321 §2.4 lets the local part be case-sensitive, but no mailbox in
// practice is, and a refusal must not be missed over case; so stored and
// compared addresses are the lower-cased whole address.
func normAddress(a string) (string, error) {
	a = strings.TrimSpace(a)
	if strings.HasPrefix(a, "<") && strings.HasSuffix(a, ">") {
		a = a[1 : len(a)-1]
	}
	i := strings.LastIndexByte(a, '@')
	if i <= 0 || i == len(a)-1 {
		return "", fmt.Errorf("address %q: want local@domain", a)
	}
	for _, r := range a {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return "", fmt.Errorf("address %q: contains space or control character", a)
		}
	}
	dom, err := normDomain(a[i+1:])
	if err != nil {
		return "", fmt.Errorf("address %q: %w", a, err)
	}
	return strings.ToLower(a[:i]) + "@" + dom, nil
}

// normProduct normalises a product or group identifier: the text between
// angle brackets when there is one (a List-Id value "Name <id>", RFC 2919
// §3), else the whole value; trimmed and lower-cased. "" is not a product.
func normProduct(p string) string {
	p = strings.TrimSpace(p)
	if i := strings.LastIndexByte(p, '<'); i >= 0 {
		if j := strings.IndexByte(p[i:], '>'); j > 0 {
			p = p[i+1 : i+j]
		}
	}
	return strings.ToLower(strings.TrimSpace(p))
}

// normScope normalises a refusal scope: ScopeAll (any case) or a product.
func normScope(s string) (string, error) {
	if strings.EqualFold(strings.TrimSpace(s), ScopeAll) {
		return ScopeAll, nil
	}
	if err := checkText("scope", s); err != nil {
		return "", err // before lower-casing, which would turn bad bytes into U+FFFD
	}
	p := normProduct(s)
	if p == "" {
		return "", errors.New("empty scope (want all or a product/group id)")
	}
	return p, nil
}

// normTimes checks the record time t (required), the optional end time
// and last use, truncates them to the millisecond in UTC and defaults last
// to the later of t and end.
func normTimes(t, last, end *time.Time) []error {
	if t.IsZero() {
		return []error{errors.New("time is empty")}
	}
	var errs []error
	*t = fromMS(ms(*t))
	if !end.IsZero() {
		if *end = fromMS(ms(*end)); end.Before(*t) {
			errs = append(errs, errors.New("revoked_at is before time"))
		}
	}
	floor := *t
	if end.After(floor) {
		floor = *end
	}
	switch {
	case last.IsZero():
		*last = floor
	case last.Before(floor):
		errs = append(errs, errors.New("last_used_at is before the record's time"))
	default:
		*last = fromMS(ms(*last))
	}
	return errs
}

// MaxEvidence bounds the evidence of a consent or refusal, in bytes: a
// reference to where the proof is kept (a form id, a URL, a call record),
// not the proof itself.
const MaxEvidence = 2048

func checkEvidence(e string) error {
	if len(e) > MaxEvidence {
		return fmt.Errorf("evidence: %d bytes, at most %d (a reference to the proof, not the proof)", len(e), MaxEvidence)
	}
	return checkText("evidence", e)
}

// ms converts t to the stored form: Unix milliseconds, UTC.
func ms(t time.Time) int64 { return t.UnixMilli() }

// fromMS converts a stored Unix-millisecond value back to UTC time.
func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }
