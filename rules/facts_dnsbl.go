package rules

import (
	"regexp"
	"slices"
	"strings"

	"milter91/internal/txn"
)

// Blocklist facts (rows of factTable) over Facts.DNSBL (RFC 5782 §2.1 for
// IPv4/IPv6 DNSxLs). Zone names compare case-insensitively, without a
// trailing dot; "*" (quoted in YAML) stands for any zone.

// secretZone is what {zone} shows for a zone configured as secret.
const secretZone = "a DNS blocklist"

var zoneName = regexp.MustCompile(`^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$`)

// zoneSet reads zone names (or "*") into a matcher of zone names.
// Reference kinds of zone names (Value.Refer): the listing facts need
// zones of a type, the others any zone.
const (
	refZone       = "zone"
	refIPZone     = "ip zone"
	refDomainZone = "domain zone"
)

func zoneSet(v Value, fact, refKind string) (func(zone string) bool, error) {
	set := map[string]bool{}
	err := eachText(v, func(at Value, s string) error {
		z := normZone(s)
		if z != "*" && !zoneName.MatchString(z) {
			return at.Errorf("%s: %q is not a DNS zone name (or \"*\" for any zone)", fact, s)
		}
		if z != "*" {
			at.Refer(refKind, z)
		}
		set[z] = true
		return nil
	})
	return func(zone string) bool { return set["*"] || set[normZone(zone)] }, err
}

func normZone(z string) string { return strings.ToLower(strings.TrimSuffix(z, ".")) }

// zoneHit builds the Hit for zone answer b: the detail names the zone (logs
// are internal); the {zone} value hides a secret one.
func zoneHit(b *txn.DNSBL, detail string) Hit {
	h := Hit{Detail: detail, Zone: b.Zone}
	if b.Secret {
		h.Zone = secretZone
	}
	return h
}

// listedFact builds the listing facts, which differ in the source of
// what was listed (txn.DNSBL.Sources): dnsbl the client address, rhsbl a
// domain of the envelope or header (HELO, MAIL FROM, From, Reply-To, DKIM
// d=; RFC 5782 §2.2), uribl a link host or email domain of the text that
// is not also one of the header's (that listing counts once, as rhsbl). True
// when a named zone listed such a target (Listed; a blocked zone is never
// a listing). Detail: "zen.example.test=127.0.0.2", with
// " (example.com from url)" for domain and link targets.
func listedFact(fact, refKind string, counts func(all []txn.DNSBL, b *txn.DNSBL) bool) FactCompiler {
	return func(v Value) (Matcher, error) {
		match, err := zoneSet(v, fact, refKind)
		if err != nil {
			return nil, err
		}
		return func(in *Input) (Hit, bool) {
			for i := range in.Facts.DNSBL {
				b := &in.Facts.DNSBL[i]
				if b.Listed && !b.Blocked && match(b.Zone) && counts(in.Facts.DNSBL, b) {
					answers := make([]string, len(b.Answers))
					for j, a := range b.Answers {
						answers[j] = a.String()
					}
					return zoneHit(b, b.Zone+"="+strings.Join(answers, ",")+aboutTarget(b)), true
				}
			}
			return Hit{}, false
		}, nil
	}
}

func isHeaderSource(s string) bool {
	switch s {
	case "helo", "mail_from", "from", "reply_to", "dkim":
		return true
	}
	return false
}

func isBodySource(s string) bool { return s == "url" || s == "email" }

// bodyOnly is uribl's test: b is about a link or email domain of the text
// that no fact, of any zone, has from the envelope or header, so that a
// domain found in both counts once, as rhsbl, however the zones split
// their sources.
func bodyOnly(all []txn.DNSBL, b *txn.DNSBL) bool {
	if !slices.ContainsFunc(b.Sources, isBodySource) {
		return false
	}
	for i := range all {
		if all[i].Target == b.Target && slices.ContainsFunc(all[i].Sources, isHeaderSource) {
			return false
		}
	}
	return true
}

// compileDNSBLBlocked: true when a named zone answered with an error code
// (query refused, over quota). Detail: "zen.example.test blocked".
func compileDNSBLBlocked(v Value) (Matcher, error) {
	match, err := zoneSet(v, "dnsbl_blocked", refZone)
	if err != nil {
		return nil, err
	}
	return func(in *Input) (Hit, bool) {
		for i := range in.Facts.DNSBL {
			if b := &in.Facts.DNSBL[i]; b.Blocked && match(b.Zone) {
				return zoneHit(b, b.Zone+" blocked"), true
			}
		}
		return Hit{}, false
	}, nil
}

// compileDNSBLTag reads "zone:tag" or "tag" items: true when a listing zone
// (that zone, or any for a bare tag) produced the tag. Detail: "zone:tag".
func compileDNSBLTag(v Value) (Matcher, error) {
	type want struct{ zone, tag string }
	var wants []want
	err := eachText(v, func(at Value, s string) error {
		zone, tag, hasZone := strings.Cut(s, ":")
		if !hasZone {
			zone, tag = "*", s
		}
		zone = normZone(zone)
		if zone != "*" && !zoneName.MatchString(zone) {
			return at.Errorf("dnsbl_tag: %q is not a DNS zone name in %q", zone, s)
		}
		if tag == "" || strings.ContainsAny(tag, " \t:") {
			return at.Errorf("dnsbl_tag: want \"zone:tag\" or \"tag\", got %q", s)
		}
		if zone != "*" {
			at.Refer(refZone, zone)
		}
		wants = append(wants, want{zone: zone, tag: tag})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return func(in *Input) (Hit, bool) {
		for i := range in.Facts.DNSBL {
			b := &in.Facts.DNSBL[i]
			if !b.Listed || b.Blocked {
				continue
			}
			for _, w := range wants {
				if (w.zone == "*" || w.zone == normZone(b.Zone)) && containsFold(b.Tags, w.tag) {
					return zoneHit(b, b.Zone+":"+w.tag), true
				}
			}
		}
		return Hit{}, false
	}, nil
}

// compileDNSBLResult: true when any zone's Result is one of listed,
// notlisted, blocked, temperror. Detail: "zen.example.test=temperror".
func compileDNSBLResult(v Value) (Matcher, error) {
	set, err := enumSet(v, "dnsbl_result", "listed", "notlisted", "blocked", "temperror")
	if err != nil {
		return nil, err
	}
	return func(in *Input) (Hit, bool) {
		for i := range in.Facts.DNSBL {
			if b := &in.Facts.DNSBL[i]; set[b.Result] {
				return zoneHit(b, b.Zone+"="+b.Result), true
			}
		}
		return Hit{}, false
	}, nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// aboutTarget names what a domain or URL lookup was about, e.g.
// " (example.com from url,email)"; "" for the client address, which the
// zone answer already implies.
func aboutTarget(b *txn.DNSBL) string {
	if b.Target == "" || (len(b.Sources) == 1 && b.Sources[0] == "client") {
		return ""
	}
	return " (" + b.Target + " from " + strings.Join(b.Sources, ",") + ")"
}
