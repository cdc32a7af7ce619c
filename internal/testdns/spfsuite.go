package testdns

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/miekg/dns"
)

// SPFSuiteTTL is the TTL, in seconds, of the records FromSPFSuite creates.
// The suites reuse names with different data from one YAML document to the
// next: use a fresh resolver (or one without cache) per document.
const SPFSuiteTTL = 300

// spfSuiteTimeoutTypes are the query types a TIMEOUT marker silences when the
// name has no record of that type.
var spfSuiteTimeoutTypes = []uint16{
	dns.TypeA, dns.TypeAAAA, dns.TypeMX, dns.TypeTXT, dns.TypeSPF, dns.TypePTR, dns.TypeCNAME,
}

// FromSPFSuite builds a zone from the `zonedata` of one document of the
// openspf RFC 4408/7208 test suites, decoded by github.com/goccy/go-yaml into
//
//	struct{ ZoneData map[string][]any `yaml:"zonedata"` }
//
// Each list item is either the string "TIMEOUT" or a map[string]any with one
// key, one of:
//
//	SPF, TXT:  string, or []any of strings (one record, several strings);
//	           TXT "NONE" means no TXT record
//	A, AAAA:   string IP literal, or []any of them
//	MX:        []any{preference (any integer type), exchange string}
//	PTR, CNAME: string target name
//
// The semantics follow the pyspf suite driver: every SPF record is served as
// type SPF and, when the name has no TXT entry (not even "NONE"), also as a
// TXT record; TIMEOUT makes the server silent for every query type (among A,
// AAAA, MX, TXT, SPF, PTR, CNAME) the name has no record of, so
// "TXT: NONE" + TIMEOUT times the TXT query out. Odd records are kept as
// they are: non-ASCII and control bytes, an SPF list of several strings or of
// none (a record with no strings), names with spaces, ':' or '%', an empty
// MX exchange (served as the root "."). Record TTLs are SPFSuiteTTL.
// It returns an error naming the domain for an item of another shape, an
// unknown record kind, a bad IP literal or a name that cannot be on the wire.
func FromSPFSuite(zonedata map[string][]any) (*Zone, error) {
	z := NewZone()
	for name, items := range zonedata {
		if err := addSPFSuiteName(z, name, items); err != nil {
			return nil, fmt.Errorf("testdns: zonedata %q: %w", name, err)
		}
	}
	return z, nil
}

// spfSuiteName collects one domain's records before they enter the zone.
type spfSuiteName struct {
	name    string
	rrs     []dns.RR
	spf     [][]string
	hasTXT  bool
	timeout bool
}

// addSPFSuiteName adds the records of one zonedata domain to z.
func addSPFSuiteName(z *Zone, name string, items []any) error {
	if _, err := canonical(name); err != nil {
		return err
	}
	n := &spfSuiteName{name: name}
	for _, item := range items {
		if err := n.add(item); err != nil {
			return err
		}
	}
	if !n.hasTXT {
		for _, texts := range n.spf {
			n.rrs = append(n.rrs, &dns.TXT{Hdr: header(name, dns.TypeTXT, SPFSuiteTTL), Txt: characterStrings(texts)})
		}
	}
	for _, rr := range n.rrs {
		if err := z.AddRR(rr); err != nil {
			return err
		}
	}
	if n.timeout {
		for _, t := range spfSuiteTimeoutTypes {
			if !slices.ContainsFunc(n.rrs, func(rr dns.RR) bool { return rr.Header().Rrtype == t }) {
				z.SetTimeout(name, t)
			}
		}
	}
	return nil
}

// add records one zonedata item.
func (n *spfSuiteName) add(item any) error {
	if s, ok := item.(string); ok && s == "TIMEOUT" {
		n.timeout = true
		return nil
	}
	m, ok := item.(map[string]any)
	if !ok || len(m) != 1 {
		return fmt.Errorf("item %v: want \"TIMEOUT\" or a one-key map", item)
	}
	for kind, v := range m {
		if err := n.addKind(kind, v); err != nil {
			return fmt.Errorf("%s %v: %w", kind, v, err)
		}
	}
	return nil
}

// addKind records one typed zonedata item.
func (n *spfSuiteName) addKind(kind string, v any) error {
	switch kind {
	case "SPF", "TXT":
		return n.addText(kind, v)
	case "A", "AAAA":
		return n.addAddrs(kind == "AAAA", v)
	case "MX":
		return n.addMX(v)
	case "PTR", "CNAME":
		target, ok := v.(string)
		if !ok {
			return fmt.Errorf("want a name")
		}
		if kind == "PTR" {
			n.rrs = append(n.rrs, &dns.PTR{Hdr: header(n.name, dns.TypePTR, SPFSuiteTTL), Ptr: dns.Fqdn(target)})
		} else {
			n.rrs = append(n.rrs, &dns.CNAME{Hdr: header(n.name, dns.TypeCNAME, SPFSuiteTTL), Target: dns.Fqdn(target)})
		}
		return nil
	}
	return fmt.Errorf("unknown record kind")
}

// addText records an SPF or TXT item.
func (n *spfSuiteName) addText(kind string, v any) error {
	texts, err := stringList(v)
	if err != nil {
		return err
	}
	if kind == "SPF" {
		n.spf = append(n.spf, texts)
		n.rrs = append(n.rrs, &dns.SPF{Hdr: header(n.name, dns.TypeSPF, SPFSuiteTTL), Txt: characterStrings(texts)})
		return nil
	}
	n.hasTXT = true
	if len(texts) == 1 && texts[0] == "NONE" {
		return nil
	}
	n.rrs = append(n.rrs, &dns.TXT{Hdr: header(n.name, dns.TypeTXT, SPFSuiteTTL), Txt: characterStrings(texts)})
	return nil
}

// addAddrs records an A or AAAA item.
func (n *spfSuiteName) addAddrs(v6 bool, v any) error {
	lits, err := stringList(v)
	if err != nil {
		return err
	}
	for _, lit := range lits {
		ip, err := netip.ParseAddr(lit)
		if err != nil || ip.Is4() == v6 {
			return fmt.Errorf("bad address %q", lit)
		}
		if v6 {
			n.rrs = append(n.rrs, &dns.AAAA{Hdr: header(n.name, dns.TypeAAAA, SPFSuiteTTL), AAAA: ip.AsSlice()})
		} else {
			n.rrs = append(n.rrs, &dns.A{Hdr: header(n.name, dns.TypeA, SPFSuiteTTL), A: ip.AsSlice()})
		}
	}
	return nil
}

// addMX records an MX item, [preference, exchange].
func (n *spfSuiteName) addMX(v any) error {
	l, ok := v.([]any)
	if !ok || len(l) != 2 {
		return fmt.Errorf("want [preference, exchange]")
	}
	pref, ok := uint16Of(l[0])
	host, ok2 := l[1].(string)
	if !ok || !ok2 {
		return fmt.Errorf("want [preference, exchange]")
	}
	n.rrs = append(n.rrs, &dns.MX{Hdr: header(n.name, dns.TypeMX, SPFSuiteTTL), Preference: pref, Mx: dns.Fqdn(host)})
	return nil
}

// stringList accepts a string or a list of strings.
func stringList(v any) ([]string, error) {
	switch v := v.(type) {
	case string:
		return []string{v}, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("want strings, got %T", e)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("want a string or a list of strings, got %T", v)
}

// uint16Of converts a YAML integer of any Go integer type to uint16.
func uint16Of(v any) (uint16, bool) {
	var n int64
	switch v := v.(type) {
	case int:
		n = int64(v)
	case int64:
		n = v
	case uint64:
		if v > 0xffff {
			return 0, false
		}
		n = int64(v)
	default:
		return 0, false
	}
	if n < 0 || n > 0xffff {
		return 0, false
	}
	return uint16(n), true
}
