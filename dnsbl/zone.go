package dnsbl

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// answerRange is where listing answers live by convention (RFC 5782 §2).
var answerRange = netip.MustParsePrefix("127.0.0.0/8")

// builtinErrors are the answers that mean "this query was refused", never
// "listed": Spamhaus 127.255.255.0/24 (127.255.255.252 typo in the zone,
// .254 public/open resolver, .255 excessive queries) and 127.0.1.255 (DBL:
// IP queries prohibited). Every zone gets them in addition to its own.
var builtinErrors = []netip.Prefix{
	netip.MustParsePrefix("127.255.255.0/24"),
	netip.MustParsePrefix("127.0.1.255/32"),
}

// ZoneConfig is one blocklist zone as the operator writes it (daemon
// YAML dnsbl.zones[], read by package config). Compile validates it into
// a Zone.
type ZoneConfig struct {
	// Name is the zone, e.g. "zen.example.test"; a trailing dot and case
	// are ignored.
	Name string
	// Type is TypeIP (default: reversed addresses, RFC 5782 §2.1) or
	// TypeDomain (domain names, RHSBL/URIBL, RFC 5782 §2.2).
	Type string
	// Sources choose what the zone is asked about (Source* constants): IP
	// zones SourceClient (default) and SourceURL (IP-literal URL hosts);
	// domain zones any of SourceHELO, SourceMailFrom, SourceFrom,
	// SourceReplyTo, SourceDKIM, SourceURL, SourceEmail (default: all).
	Sources []string
	// FullName asks a domain zone about the whole host name; by default a
	// name is trimmed to its organizational domain (RFC 7489 §3.2), which
	// is what URIBL-style lists publish.
	FullName bool
	// SkipHealth leaves the zone out of CheckHealth, for a private zone
	// without the RFC 5782 §5 test points.
	SkipHealth bool
	// Early is EarlyReject to reject a listed client at RCPT, before DATA
	// (see Checker.Early), whatever the answer; "" leaves the decision to
	// the rules at end of message, except for the Codes marked early. IP
	// zones asked about SourceClient only.
	Early string
	// Secret zones are not named in SMTP replies (txn.DNSBL.Secret).
	Secret bool
	// IPv6 says the zone lists IPv6 addresses (RFC 5782 §2.4); IPv6
	// clients are looked up only in such zones. Default false: IPv6
	// support is documented zone by zone, and asking an IPv4-only zone
	// costs a lookup per message for nothing.
	IPv6 bool
	// Codes map answers to tags; see CodeMap. Empty: every answer inside
	// 127.0.0.0/8 is a listing.
	Codes []CodeMap
	// ErrorCodes are the zone's documented "query refused" answers, as
	// IPv4 addresses or CIDRs inside 127.0.0.0/8, in addition to the
	// built-in 127.255.255.0/24 and 127.0.1.255.
	ErrorCodes []string
	// Timeout bounds this zone's lookup; 0 means only the caller's
	// context deadline applies.
	Timeout time.Duration
}

// CodeMap maps answers to a tag. Exactly one of Match and Bitmask is set:
//   - Match: an IPv4 address ("127.0.0.2", exact) or CIDR ("127.0.0.10/31")
//     inside 127.0.0.0/8;
//   - Bitmask: 1-255; the answer matches when its last octet AND Bitmask
//     is not zero (SURBL/URIBL multi-list style).
//
// One answer may match several maps and so produce several tags.
//
// Early is EarlyReject to reject at RCPT a client whose answer matches
// this map, as ZoneConfig.Early does for every answer: a combined zone
// such as Spamhaus ZEN then refuses its SBL and XBL listings early and
// leaves its PBL listings (end-user address ranges) to the rules. Same
// zones as ZoneConfig.Early.
type CodeMap struct {
	Tag     string
	Match   string
	Bitmask int
	Early   string
}

// Zone is a validated, immutable ZoneConfig, safe for concurrent use.
type Zone struct {
	name       string
	domain     bool            // TypeDomain
	sources    map[string]bool // what the zone is asked about
	fullName   bool
	skipHealth bool
	early      bool // every listing is rejected at RCPT
	earlyCodes bool // some code is rejected at RCPT
	secret     bool
	ipv6       bool
	codes      []code
	errorCodes []netip.Prefix // built-in first, then the zone's own
	timeout    time.Duration
}

type code struct {
	tag     string
	match   netip.Prefix // used when bitmask is 0
	bitmask uint8
	early   bool
}

func (c code) matches(a netip.Addr) bool {
	if c.bitmask != 0 {
		return a.As4()[3]&c.bitmask != 0
	}
	return c.match.Contains(a)
}

// Name returns the zone name, lower case, without a trailing dot.
func (z *Zone) Name() string { return z.name }

// Secret reports whether the zone must not be named in SMTP replies.
func (z *Zone) Secret() bool { return z.secret }

// IPv6 reports whether IPv6 clients are looked up in the zone.
func (z *Zone) IPv6() bool { return z.ipv6 }

// Timeout returns the per-zone lookup timeout; 0 means none of its own.
func (z *Zone) Timeout() time.Duration { return z.timeout }

// Compile validates zone configs and returns the zones in the same order.
// Every problem is reported, joined into one error; each names the zone (or
// its index when the name is empty) and the field, e.g.
// `dnsbl zone "bl.example.test": codes[1].match "127.0.0.300": not an IPv4
// address or CIDR`. Duplicate zone names are errors.
func Compile(configs []ZoneConfig) ([]*Zone, error) {
	var errs []error
	zones := make([]*Zone, 0, len(configs))
	seen := make(map[string]bool, len(configs))
	for i, zc := range configs {
		z, zerrs := compileZone(zc)
		where := fmt.Sprintf("dnsbl zones[%d]", i)
		if zc.Name != "" {
			where = fmt.Sprintf("dnsbl zone %q", zc.Name)
		}
		if z != nil && seen[z.name] {
			zerrs = append(zerrs, errors.New("name: duplicate zone"))
		}
		for _, e := range zerrs {
			errs = append(errs, fmt.Errorf("%s: %w", where, e))
		}
		if len(zerrs) == 0 {
			seen[z.name] = true
			zones = append(zones, z)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return zones, nil
}

// compileZone returns the zone (nil when the name is unusable) and every
// problem found.
func compileZone(zc ZoneConfig) (*Zone, []error) {
	var errs []error
	name := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(zc.Name), "."))
	if err := checkZoneName(name, zc.IPv6 || zc.Type == TypeDomain); err != nil {
		errs = append(errs, fmt.Errorf("name: %w", err))
	}
	if zc.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout %s: negative", zc.Timeout))
	}
	z := &Zone{name: name, secret: zc.Secret, ipv6: zc.IPv6, timeout: zc.Timeout, fullName: zc.FullName, skipHealth: zc.SkipHealth,
		early: zc.Early == EarlyReject}
	errs = append(errs, z.setType(zc.Type, zc.Sources)...)
	if err := checkEarly(zc.Early, !z.domain && z.sources[SourceClient], "an IP zone asked about the client address"); err != nil {
		errs = append(errs, err)
	}
	z.errorCodes = append(z.errorCodes, builtinErrors...)
	for i, s := range zc.ErrorCodes {
		p, err := parseAnswerPrefix(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("error_codes[%d] %q: %w", i, s, err))
			continue
		}
		z.errorCodes = append(z.errorCodes, p)
	}
	for i, cm := range zc.Codes {
		c, err := compileCode(cm, z.errorCodes)
		if err == nil {
			err = checkEarly(cm.Early, !z.domain && z.sources[SourceClient], "an IP zone asked about the client address")
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("codes[%d]: %w", i, err))
			continue
		}
		c.early = cm.Early == EarlyReject
		z.earlyCodes = z.earlyCodes || c.early
		z.codes = append(z.codes, c)
	}
	return z, errs
}

func compileCode(cm CodeMap, errorCodes []netip.Prefix) (code, error) {
	if err := checkTag(cm.Tag); err != nil {
		return code{}, fmt.Errorf("tag %q: %w", cm.Tag, err)
	}
	switch {
	case cm.Match != "" && cm.Bitmask != 0:
		return code{}, errors.New("match and bitmask: set only one")
	case cm.Match == "" && cm.Bitmask == 0:
		return code{}, errors.New("match or bitmask: one is required (bitmask 0 matches nothing)")
	case cm.Bitmask != 0:
		if cm.Bitmask < 1 || cm.Bitmask > 255 {
			return code{}, fmt.Errorf("bitmask %d: must be 1-255 (last octet)", cm.Bitmask)
		}
		return code{tag: cm.Tag, bitmask: uint8(cm.Bitmask)}, nil
	}
	p, err := parseAnswerPrefix(cm.Match)
	if err != nil {
		return code{}, fmt.Errorf("match %q: %w", cm.Match, err)
	}
	for _, e := range errorCodes {
		if e.Bits() <= p.Bits() && e.Contains(p.Addr()) {
			return code{}, fmt.Errorf("match %q: inside error answers %s, can never be a listing", cm.Match, e)
		}
	}
	return code{tag: cm.Tag, match: p}, nil
}

// parseAnswerPrefix parses an IPv4 address or canonical CIDR inside
// 127.0.0.0/8; an address becomes a /32.
func parseAnswerPrefix(s string) (netip.Prefix, error) {
	var p netip.Prefix
	if strings.Contains(s, "/") {
		var err error
		if p, err = netip.ParsePrefix(s); err != nil {
			return p, errors.New("not an IPv4 address or CIDR")
		}
		if p.Masked() != p {
			return p, fmt.Errorf("host bits set (did you mean %s?)", p.Masked())
		}
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return p, errors.New("not an IPv4 address or CIDR")
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	if !p.Addr().Is4() {
		return p, errors.New("not IPv4 (blocklist answers are A records)")
	}
	if p.Bits() < answerRange.Bits() || !answerRange.Contains(p.Addr()) {
		return p, errors.New("outside 127.0.0.0/8, where answers are ignored")
	}
	return p, nil
}

// checkTag accepts the characters a fact value may hold: a-z, 0-9, '-',
// '_' and '.'.
func checkTag(tag string) error {
	if tag == "" {
		return errors.New("empty")
	}
	for _, r := range tag {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return fmt.Errorf("character %q not allowed (use a-z 0-9 - _ .)", r)
		}
	}
	return nil
}

// checkZoneName checks DNS name syntax (RFC 1035 §2.3.4: labels 1-63
// octets, 255 octets in wire form, i.e. 253 in text) leaving room for what
// goes in front: 16 octets for a reversed IPv4 address with its dot, 64 for
// IPv6 nibbles or a domain name (longer domains are not asked).
func checkZoneName(name string, wide bool) error {
	if name == "" {
		return errors.New("empty")
	}
	room := 253 - 16
	if wide {
		room = 253 - 64
	}
	if len(name) > room {
		return fmt.Errorf("%d octets; at most %d fit in front of a reversed address", len(name), room)
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("label %q: must be 1-63 octets", label)
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return fmt.Errorf("label %q: character %q not allowed", label, r)
			}
		}
	}
	return nil
}
