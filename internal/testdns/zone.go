// Package testdns is an in-process authoritative DNS server on loopback for
// tests: the resolver's unit tests, the RFC 7208 SPF conformance test, the
// end-to-end tests with a real Postfix and the `milter91 check` tests.
//
// A Zone holds the records and the faults to inject (forced rcodes, silent
// questions, truncation, delays); a Server answers from one Zone on
// 127.0.0.1 over UDP and TCP on the same random port.
package testdns

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Zone is a set of records and injected faults, keyed by owner name
// (case-insensitive, trailing dot optional). The zero value is an empty zone
// ready to use; all methods are safe for concurrent use, also while a Server
// answers from the zone.
type Zone struct {
	mu sync.RWMutex
	// names maps a canonical owner name to its records by type. A name with
	// an empty map is an empty non-terminal: it exists (NODATA, not
	// NXDOMAIN) because a longer name below it has records (RFC 8020).
	names    map[string]map[uint16][]dns.RR
	rcodes   map[question]int
	timeouts map[question]bool
	truncate map[string]bool
	delays   map[string]time.Duration
}

// question is a (canonical name, qtype) pair.
type question struct {
	name  string
	qtype uint16
}

// NewZone returns an empty zone, the same as new(Zone).
func NewZone() *Zone { return new(Zone) }

// initLocked makes the maps; callers hold z.mu for writing.
func (z *Zone) initLocked() {
	if z.names != nil {
		return
	}
	z.names = map[string]map[uint16][]dns.RR{}
	z.rcodes = map[question]int{}
	z.timeouts = map[question]bool{}
	z.truncate = map[string]bool{}
	z.delays = map[string]time.Duration{}
}

// Add adds one resource record given in zone-file presentation form, e.g.
// `example.test. 300 IN TXT "v=spf1 -all"` (RFC 1035 §5.1). Relative owner
// names are taken relative to the root. A TXT string longer than 255 bytes
// is split into several character-strings by the parser (RFC 1035 §3.3.14).
// It returns the parse error, or an error for an empty line.
func (z *Zone) Add(rr string) error {
	parsed, err := dns.NewRR(rr)
	if err != nil {
		return fmt.Errorf("testdns: %q: %w", rr, err)
	}
	if parsed == nil {
		return fmt.Errorf("testdns: %q: no record", rr)
	}
	return z.AddRR(parsed)
}

// MustAdd adds each record like Add and panics on the first error; for tests
// with literal records.
func (z *Zone) MustAdd(rrs ...string) {
	for _, rr := range rrs {
		if err := z.Add(rr); err != nil {
			panic(err)
		}
	}
}

// AddRR adds a record built in Go. It returns an error when the record cannot
// be packed into a DNS message (bad owner name, TXT string over 255 bytes,
// ...), so that a bad record fails at setup rather than as a silent SERVFAIL.
func (z *Zone) AddRR(rr dns.RR) error {
	if rr == nil {
		return fmt.Errorf("testdns: nil record")
	}
	buf := make([]byte, dns.MaxMsgSize)
	if _, err := dns.PackRR(rr, buf, 0, nil, false); err != nil {
		return fmt.Errorf("testdns: record %q: %w", rr.String(), err)
	}
	name, err := canonical(rr.Header().Name)
	if err != nil {
		return err
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	z.initLocked()
	z.addNameLocked(name)
	rrtype := rr.Header().Rrtype
	z.names[name][rrtype] = append(z.names[name][rrtype], dns.Copy(rr))
	return nil
}

// AddTXT adds one TXT record for name with the given TTL (seconds) whose
// character-strings are texts, taken as raw bytes (no zone-file escapes);
// a text longer than 255 bytes becomes several character-strings
// (RFC 1035 §3.3.14, RFC 7208 §3.3). No texts gives a record with no
// strings, which is illegal but occurs in the RFC 7208 test suite.
func (z *Zone) AddTXT(name string, ttl uint32, texts ...string) error {
	return z.AddRR(&dns.TXT{Hdr: header(name, dns.TypeTXT, ttl), Txt: characterStrings(texts)})
}

// addNameLocked registers name and its ancestors as existing names.
func (z *Zone) addNameLocked(name string) {
	for off, end := 0, false; !end; off, end = dns.NextLabel(name, off) {
		if _, ok := z.names[name[off:]]; !ok {
			z.names[name[off:]] = map[uint16][]dns.RR{}
		}
	}
}

// SetRcode makes every question (name, qtype) answer with rcode and no
// records, e.g. dns.RcodeServerFailure or dns.RcodeRefused; dns.TypeANY as
// qtype matches every type. Forced answers carry no SOA, so an NXDOMAIN
// forced here is one "without SOA" for negative caching (RFC 2308 §5).
// Bad names are ignored: the question can never be asked.
func (z *Zone) SetRcode(name string, qtype uint16, rcode int) {
	z.setFault(name, func(c string) { z.rcodes[question{name: c, qtype: qtype}] = rcode })
}

// SetTimeout makes the server never answer the question (name, qtype), over
// UDP and TCP, so the client times out; dns.TypeANY as qtype matches every
// type.
func (z *Zone) SetTimeout(name string, qtype uint16) {
	z.setFault(name, func(c string) { z.timeouts[question{name: c, qtype: qtype}] = true })
}

// SetTruncate makes every UDP answer for name a truncated one (TC bit set,
// no records), so the client must retry over TCP (RFC 1035 §4.2.1,
// RFC 7766 §5); TCP gets the full answer.
func (z *Zone) SetTruncate(name string) {
	z.setFault(name, func(c string) { z.truncate[c] = true })
}

// SetDelay makes the server wait d before answering any question for name;
// a closing Server stops waiting. For tests of merged in-flight queries and
// abandoned lookups.
func (z *Zone) SetDelay(name string, d time.Duration) {
	z.setFault(name, func(c string) { z.delays[c] = d })
}

// setFault runs set with the canonical form of name under the write lock.
func (z *Zone) setFault(name string, set func(canonicalName string)) {
	c, err := canonical(name)
	if err != nil {
		return
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	z.initLocked()
	set(c)
}

// header returns an IN-class header for owner name (made absolute).
func header(name string, rrtype uint16, ttl uint32) dns.RR_Header {
	return dns.RR_Header{Name: dns.Fqdn(name), Rrtype: rrtype, Class: dns.ClassINET, Ttl: ttl}
}

// canonical returns the lower-cased presentation form that miekg/dns gives
// name after a trip through the wire format, so that "A.test", "a.test." and
// a name with raw spaces or escapes all map to one key. It returns an error
// for names that cannot be on the wire (empty labels, labels over 63 bytes,
// names over 255 bytes; RFC 1035 §2.3.4).
func canonical(name string) (string, error) {
	buf := make([]byte, 256)
	n, err := dns.PackDomainName(dns.Fqdn(name), buf, 0, nil, false)
	if err != nil {
		return "", fmt.Errorf("testdns: bad name %q: %w", name, err)
	}
	c, _, err := dns.UnpackDomainName(buf[:n], 0)
	if err != nil {
		return "", fmt.Errorf("testdns: bad name %q: %w", name, err)
	}
	return strings.ToLower(c), nil
}
