package dnsbl

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
	"strings"
)

// List is a local block or allow list of IP addresses, CIDR ranges,
// domain names and email addresses, e.g. the national IP/domain blacklist
// (Decree 91/2020 Art. 8, 9.12). It is immutable after LoadList and safe
// for concurrent use; a nil *List is an empty list.
//
// Lookup cost does not depend on the list's size beyond a binary search:
// IP ranges are kept sorted and disjoint (one binary search, whatever
// prefix lengths exist), names and addresses in hash maps (one probe per
// label of a domain).
type List struct {
	v4      []range4            // sorted by lo, disjoint
	v6      []range6            // sorted by lo, disjoint
	domains map[string]domKind  // lower-case A-labels, no final dot
	emails  map[string]struct{} // lower-cased local part "@" A-label domain
	n       int                 // distinct entries
	// requests are the authority's blocking requests by entry (Match
	// form), for a list whose header names them; nil otherwise.
	requests map[string]Request
}

// domKind says how a listed domain matches; a name can be both.
type domKind uint8

const (
	domSubtree domKind = 1 << iota // "example.com": the name and every name below it
	domExact                       // "=example.com": that name only
)

// range4 is an inclusive range of IPv4 addresses, from one CIDR entry.
type range4 struct{ lo, hi uint32 }

// range6 is an inclusive range of IPv6 addresses, from one CIDR entry.
type range6 struct{ lo, hi u128 }

// u128 is an IPv6 address as a 128-bit unsigned number.
type u128 struct{ hi, lo uint64 }

func (x u128) cmp(y u128) int {
	switch {
	case x.hi < y.hi || x.hi == y.hi && x.lo < y.lo:
		return -1
	case x == y:
		return 0
	}
	return 1
}

func (x u128) or(y u128) u128 { return u128{hi: x.hi | y.hi, lo: x.lo | y.lo} }

// leadingZeros counts the leading zero bits of x, 0-128.
func (x u128) leadingZeros() int {
	if x.hi != 0 {
		return bits.LeadingZeros64(x.hi)
	}
	return 64 + bits.LeadingZeros64(x.lo)
}

// hostMask4 returns the host bits of an IPv4 prefix of length b (0-32).
// Go shifts by 32 or more give 0, so b == 0 yields all ones.
func hostMask4(b int) uint32 { return uint32(1)<<(32-b) - 1 }

// hostMask6 returns the host bits of an IPv6 prefix of length b (0-128).
func hostMask6(b int) u128 {
	if b >= 64 {
		return u128{lo: uint64(1)<<(128-b) - 1}
	}
	return u128{hi: uint64(1)<<(64-b) - 1, lo: ^uint64(0)}
}

func addr4(a netip.Addr) uint32 {
	b := a.As4()
	return binary.BigEndian.Uint32(b[:])
}

func addr16(a netip.Addr) u128 {
	b := a.As16()
	return u128{hi: binary.BigEndian.Uint64(b[:8]), lo: binary.BigEndian.Uint64(b[8:])}
}

// Len returns the number of distinct entries after normalisation,
// including those inside a broader listed range; "example.com" and
// "=example.com" are two entries.
func (l *List) Len() int {
	if l == nil {
		return 0
	}
	return l.n
}

// ContainsIP reports whether ip is listed, alone or inside a CIDR.
// IPv4-mapped IPv6 addresses are looked up as IPv4, zones are ignored; the
// zero Addr is never listed.
func (l *List) ContainsIP(ip netip.Addr) bool {
	_, _, ok := l.findIP(ip)
	return ok
}

// MatchIP returns the entry that lists ip, normalised: "192.0.2.7" for an
// address (also when written 192.0.2.7/32), "192.0.2.0/24" for a CIDR,
// IPv4 for IPv4-mapped entries. When nested entries cover ip, the
// broadest one is returned (the narrower ones add nothing to the listing).
// ok is false when ip is not listed; see ContainsIP.
func (l *List) MatchIP(ip netip.Addr) (entry string, ok bool) {
	a, b, ok := l.findIP(ip)
	if !ok {
		return "", false
	}
	if b == a.BitLen() {
		return a.String(), true
	}
	return netip.PrefixFrom(a, b).String(), true
}

// findIP returns the network address and prefix length of the range
// that holds ip.
func (l *List) findIP(ip netip.Addr) (netip.Addr, int, bool) {
	if l == nil || !ip.IsValid() {
		return netip.Addr{}, 0, false
	}
	if ip = ip.Unmap(); ip.Is4() {
		x := addr4(ip)
		v := l.v4
		i, j := 0, len(v)
		for i < j {
			if h := int(uint(i+j) >> 1); v[h].lo <= x {
				i = h + 1
			} else {
				j = h
			}
		}
		if i == 0 || v[i-1].hi < x {
			return netip.Addr{}, 0, false
		}
		r := v[i-1]
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], r.lo)
		return netip.AddrFrom4(b), bits.LeadingZeros32(r.lo ^ r.hi), true
	}
	x := addr16(ip)
	v := l.v6
	i, j := 0, len(v)
	for i < j {
		if h := int(uint(i+j) >> 1); v[h].lo.cmp(x) <= 0 {
			i = h + 1
		} else {
			j = h
		}
	}
	if i == 0 || v[i-1].hi.cmp(x) < 0 {
		return netip.Addr{}, 0, false
	}
	r := v[i-1]
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], r.lo.hi)
	binary.BigEndian.PutUint64(b[8:], r.lo.lo)
	return netip.AddrFrom16(b), u128{hi: r.lo.hi ^ r.hi.hi, lo: r.lo.lo ^ r.hi.lo}.leadingZeros(), true
}

// ContainsDomain reports whether name is listed: as itself ("example.com"
// or "=example.com") or below a listed parent ("example.com" lists
// "mail.example.com"). Case, a final dot and Unicode vs A-label spelling
// do not matter; a name that is not a valid domain is never listed.
func (l *List) ContainsDomain(name string) bool {
	_, ok := l.MatchDomain(name)
	return ok
}

// MatchDomain returns the entry that lists name, normalised to A-labels:
// "=example.com" for an exact entry, else the listed name or parent
// ("example.com" for "mail.example.com"); the name itself wins over a
// parent. ok is false when name is not listed; see ContainsDomain.
func (l *List) MatchDomain(name string) (entry string, ok bool) {
	if l == nil || len(l.domains) == 0 {
		return "", false
	}
	d, err := toASCII(strings.TrimSuffix(name, "."))
	if err != nil || d == "" {
		return "", false
	}
	return l.matchDomain(d)
}

// matchDomain is MatchDomain for a name already in lower-case A-labels.
func (l *List) matchDomain(d string) (string, bool) {
	if k, ok := l.domains[d]; ok {
		if k&domSubtree != 0 {
			return d, true
		}
		return "=" + d, true
	}
	for {
		var found bool
		if _, d, found = strings.Cut(d, "."); !found {
			return "", false
		}
		if l.domains[d]&domSubtree != 0 {
			return d, true
		}
	}
}

// ContainsAddress reports whether the email address addr is listed, as an
// address or by its domain (see ContainsDomain). The local part is
// compared case-insensitively, the domain as A-labels; one pair of angle
// brackets is ignored. "" and "<>" (the null reverse-path, RFC 5321 §4.5.5)
// and strings without a local part and "@" are never listed.
func (l *List) ContainsAddress(addr string) bool {
	_, ok := l.MatchAddress(addr)
	return ok
}

// MatchAddress returns the entry that lists addr: the address entry
// ("user@example.com", local part lower-cased, domain in A-labels) when
// there is one, else the domain's entry as MatchDomain gives it. ok is
// false when addr is not listed; see ContainsAddress.
func (l *List) MatchAddress(addr string) (entry string, ok bool) {
	if l == nil {
		return "", false
	}
	if strings.HasPrefix(addr, "<") && strings.HasSuffix(addr, ">") {
		addr = addr[1 : len(addr)-1]
	}
	i := strings.LastIndexByte(addr, '@')
	if i <= 0 {
		return "", false
	}
	local, dom := addr[:i], addr[i+1:]
	d, err := toASCII(strings.TrimSuffix(dom, "."))
	if err != nil || d == "" {
		return "", false
	}
	if len(l.emails) > 0 {
		key := addr
		if ll := strings.ToLower(local); ll != local || d != dom {
			key = ll + "@" + d
		}
		if _, ok := l.emails[key]; ok {
			return key, true
		}
	}
	return l.matchDomain(d)
}
