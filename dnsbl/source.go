package dnsbl

import (
	"fmt"
	"slices"
)

// Zone types (ZoneConfig.Type).
const (
	TypeIP     = "ip"     // reversed IPv4/IPv6 addresses (RFC 5782 §2.1, §2.4)
	TypeDomain = "domain" // domain names: RHSBL, URIBL (RFC 5782 §2.2)
)

// Sources: what a zone is asked about (ZoneConfig.Sources,
// txn.DNSBL.Sources).
const (
	SourceClient   = "client"    // the SMTP client address
	SourceHELO     = "helo"      // the HELO/EHLO name
	SourceMailFrom = "mail_from" // the envelope sender's domain (RFC 5321 MAIL FROM)
	SourceFrom     = "from"      // RFC 5322.From domains
	SourceReplyTo  = "reply_to"  // Reply-To domains
	SourceDKIM     = "dkim"      // d= of the DKIM-Signature fields (RFC 6376 §3.5)
	SourceURL      = "url"       // hosts of URLs in the text parts (IP literals for IP zones)
	SourceEmail    = "email"     // domains of email addresses in the text parts
)

// sourcesByType lists the sources each zone type accepts, in the order a
// message's targets are planned; the first IP source is the default of
// IP zones, and all domain sources are the default of domain zones.
var sourcesByType = map[string][]string{
	TypeIP:     {SourceClient, SourceURL},
	TypeDomain: {SourceHELO, SourceMailFrom, SourceFrom, SourceReplyTo, SourceDKIM, SourceURL, SourceEmail},
}

// Sources returns the sources a zone of type typ takes, nil for an
// unknown type.
func Sources(typ string) []string {
	return slices.Clone(sourcesByType[typ])
}

// setType validates typ and sources and sets z.domain and z.sources.
func (z *Zone) setType(typ string, sources []string) []error {
	if typ == "" {
		typ = TypeIP
	}
	valid, ok := sourcesByType[typ]
	if !ok {
		return []error{fmt.Errorf("type %q: want %q or %q", typ, TypeIP, TypeDomain)}
	}
	z.domain = typ == TypeDomain
	if len(sources) == 0 {
		sources = valid
		if !z.domain {
			sources = valid[:1]
		}
	}
	var errs []error
	z.sources = make(map[string]bool, len(sources))
	for i, s := range sources {
		if !slices.Contains(valid, s) {
			errs = append(errs, fmt.Errorf("sources[%d] %q: %s zones take %q", i, s, typ, valid))
			continue
		}
		z.sources[s] = true
	}
	return errs
}

// Type returns TypeIP or TypeDomain.
func (z *Zone) Type() string {
	if z.domain {
		return TypeDomain
	}
	return TypeIP
}

// Asks reports whether the zone is asked about targets from source.
func (z *Zone) Asks(source string) bool { return z.sources[source] }

// Asks reports whether any of the Checker's zones asks about targets
// from source, so that callers can skip collecting them (reading every
// text part for SourceURL) when none does.
func (c *Checker) Asks(source string) bool {
	for _, z := range c.zones {
		if z.sources[source] {
			return true
		}
	}
	return false
}
