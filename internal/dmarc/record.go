package dmarc

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Policy is a Domain Owner Assessment Policy (RFC 9989 §4.7, the p, sp
// and np tags).
type Policy string

// The policies; "" means absent.
const (
	PolicyNone       Policy = "none"
	PolicyQuarantine Policy = "quarantine"
	PolicyReject     Policy = "reject"
)

// ErrNotDMARC is Parse's error for a TXT string that is not a DMARC
// Policy Record: "v=DMARC1" is not its first tag (RFC 9989 §4.7).
var ErrNotDMARC = errors.New("dmarc: not a DMARC record (v=DMARC1 must be the first tag)")

// Record is a parsed DMARC Policy Record (RFC 9989 §4.7, §4.8). Absent
// and invalid tags have their defaults; what was wrong is in Problems.
type Record struct {
	Policy            Policy // p; "" when absent or invalid
	SubdomainPolicy   Policy // sp; "" when absent or invalid
	NonexistentPolicy Policy // np; "" when absent or invalid
	// BadPolicy is true when p is absent or invalid, or sp or np is
	// present but invalid: §4.10.1 then treats the record as p=none when
	// it has a valid rua URI, and as no record otherwise (Usable).
	BadPolicy   bool
	ADKIM, ASPF byte // 'r' (default) or 's'
	PSD         byte // 'y', 'n' or 'u' (default)
	Testing     bool // t=y
	RUA, RUF    []string
	FO          string // default "0"
	// RFC 7489 tags, removed by RFC 9989 (Appendix A.6, C.5.2) and kept
	// for older consumers: Pct is -1 when absent.
	Pct    int
	RF, RI string
	// Problems lists each tag ignored or defaulted, for diagnostics.
	Problems []string
}

// IsRecord reports whether txt starts with the version tag v=DMARC1
// (RFC 9989 §4.8: "v" *WSP "=" *WSP "DMARC1", then a separator or the
// end). The tag name is case-insensitive, the value is not.
func IsRecord(txt string) bool {
	rest := strings.TrimLeft(txt, " \t")
	if rest == "" || (rest[0] != 'v' && rest[0] != 'V') {
		return false
	}
	rest, ok := strings.CutPrefix(strings.TrimLeft(rest[1:], " \t"), "=")
	if !ok {
		return false
	}
	rest, ok = strings.CutPrefix(strings.TrimLeft(rest, " \t"), "DMARC1")
	rest = strings.TrimLeft(rest, " \t")
	return ok && (rest == "" || rest[0] == ';')
}

// Parse parses a DMARC Policy Record (the TXT record's strings already
// concatenated). The only error is ErrNotDMARC: every other syntax error
// leaves a default and a Problem (§4.8: "Syntax errors in the remainder
// of the record MUST be discarded in favor of default values (if any) or
// ignored outright"); unknown tags are ignored; a repeated tag keeps its
// first value. Tag names and keyword values are case-insensitive. Time
// and memory are linear in len(txt).
func Parse(txt string) (*Record, error) {
	if !IsRecord(txt) {
		return nil, ErrNotDMARC
	}
	r := &Record{ADKIM: 'r', ASPF: 'r', PSD: 'u', FO: "0", Pct: -1}
	_, rest, _ := strings.Cut(txt, ";")
	seen := map[string]bool{}
	pSeen := false
	for part := range strings.SplitSeq(rest, ";") {
		part = strings.Trim(part, " \t")
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		name = strings.ToLower(strings.TrimRight(name, " \t"))
		value = strings.Trim(value, " \t")
		switch {
		case !ok || name == "" || value == "":
			r.problem("tag %q has no value", part)
			continue
		case seen[name]:
			r.problem("tag %s repeated: the first value is kept", name)
			continue
		}
		seen[name] = true
		pSeen = pSeen || name == "p"
		r.tag(name, value)
	}
	if !pSeen {
		r.problem("no p tag")
		r.BadPolicy = true
	}
	return r, nil
}

func (r *Record) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// tag sets one tag (name lower case, value trimmed and not empty).
func (r *Record) tag(name, value string) {
	switch name {
	case "p", "sp", "np":
		p := Policy(strings.ToLower(value))
		if p != PolicyNone && p != PolicyQuarantine && p != PolicyReject {
			r.problem("%s=%s is not none, quarantine or reject", name, value)
			r.BadPolicy = true
			return
		}
		*map[string]*Policy{"p": &r.Policy, "sp": &r.SubdomainPolicy, "np": &r.NonexistentPolicy}[name] = p
	case "adkim", "aspf":
		r.flag(name, value, "rs", map[string]*byte{"adkim": &r.ADKIM, "aspf": &r.ASPF}[name])
	case "psd":
		r.flag(name, value, "ynu", &r.PSD)
	case "t":
		var t byte
		if r.flag(name, value, "yn", &t) {
			r.Testing = t == 'y'
		}
	case "rua", "ruf":
		uris := parseURIList(value, r)
		if name == "rua" {
			r.RUA = uris
		} else {
			r.RUF = uris
		}
	case "fo":
		if !validFO(strings.ToLower(value)) {
			r.problem("fo=%s is not a valid failure reporting option list", value)
			return
		}
		r.FO = strings.ToLower(value)
	case "pct":
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 || n > 100 {
			r.problem("pct=%s is not 0-100", value)
			return
		}
		r.Pct = n
	case "rf":
		r.RF = value
	case "ri":
		r.RI = value
	}
}

// flag sets *dst to the lower-case one-letter value if it is among
// allowed, and reports whether it did.
func (r *Record) flag(name, value, allowed string, dst *byte) bool {
	v := strings.ToLower(value)
	if len(v) != 1 || !strings.Contains(allowed, v) {
		r.problem("%s=%s is not one of %s", name, value, strings.Join(strings.Split(allowed, ""), ", "))
		return false
	}
	*dst = v[0]
	return true
}

// validFO reports whether fo is a colon-separated list of 0, 1, d and s,
// each at most once, not both 0 and 1 (RFC 9989 §4.8 dmarc-fo).
func validFO(fo string) bool {
	seen := map[string]bool{}
	for o := range strings.SplitSeq(fo, ":") {
		o = strings.Trim(o, " \t")
		if (o != "0" && o != "1" && o != "d" && o != "s") || seen[o] {
			return false
		}
		seen[o] = true
	}
	return !(seen["0"] && seen["1"])
}

// Usable reports whether the record can be applied (RFC 9989 §4.10.1): a
// valid p and valid sp and np if present, or else at least one valid rua
// URI, in which case the record acts as p=none.
func (r *Record) Usable() bool { return !r.BadPolicy || len(r.RUA) > 0 }
