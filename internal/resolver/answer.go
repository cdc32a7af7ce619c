package resolver

import (
	"cmp"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// answer is the usable part of a positive response, parsed once when it
// arrives so that a cache hit only copies it. Only the field of the query
// type is set.
type answer struct {
	strs  []string     // TXT: each record's strings joined; PTR: target names
	addrs []netip.Addr // A or AAAA
	mx    []net.MX     // MX, by preference
}

// result is the outcome of one (name, type) query, shared by merged callers
// and the cache; it is never modified once built.
type result struct {
	ans      *answer // positive answer; nil otherwise
	notFound bool    // NXDOMAIN or NODATA (or a name that cannot exist)
	reason   string  // temporary failure reason, when ans == nil && !notFound
	timeout  bool    // the temporary failure was a timeout
}

// err returns the error for a failed result, carrying the name the caller
// asked for.
func (r result) err(name string) error {
	if r.notFound {
		return NotFound(name)
	}
	return Temporary(name, r.reason, r.timeout)
}

// parseAnswer converts the records of one type into an answer.
func parseAnswer(qtype uint16, rrs []dns.RR) *answer {
	a := &answer{}
	for _, rr := range rrs {
		switch v := rr.(type) {
		case *dns.TXT:
			a.strs = append(a.strs, joinTXT(v.Txt))
		case *dns.PTR:
			a.strs = append(a.strs, v.Ptr)
		case *dns.A:
			if ip, ok := netip.AddrFromSlice(v.A); ok {
				a.addrs = append(a.addrs, ip.Unmap())
			}
		case *dns.AAAA:
			if ip, ok := netip.AddrFromSlice(v.AAAA); ok {
				a.addrs = append(a.addrs, ip)
			}
		case *dns.MX:
			a.mx = append(a.mx, net.MX{Host: v.Mx, Pref: v.Preference})
		}
	}
	if qtype == dns.TypeMX {
		// Like net.Resolver.LookupMX, but stable so that tests and logs
		// see the server's order among equal preferences.
		slices.SortStableFunc(a.mx, func(x, y net.MX) int { return cmp.Compare(x.Pref, y.Pref) })
	}
	return a
}

// empty reports whether a holds no usable value.
func (a *answer) empty() bool {
	return len(a.strs) == 0 && len(a.addrs) == 0 && len(a.mx) == 0
}

// joinTXT concatenates the character-strings of one TXT record
// (RFC 7208 §3.3), turning miekg/dns presentation escapes back into the
// raw bytes that were on the wire. The result has no spare capacity: the
// cache keeps it and counts its length.
func joinTXT(parts []string) string {
	var b strings.Builder
	for _, p := range parts {
		unescapeTo(&b, p)
	}
	if b.Cap() > b.Len() {
		return strings.Clone(b.String())
	}
	return b.String()
}

// unescapeTo writes s with the escapes miekg/dns produces when unpacking a
// character-string (\" \\ and \DDD) decoded.
func unescapeTo(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		if i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
			n := int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')
			if n <= 255 {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i+1])
		i++
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// copyMX returns fresh copies of the MX records so that callers may modify
// them without touching the cache.
func (a *answer) copyMX() []*net.MX {
	recs := slices.Clone(a.mx)
	out := make([]*net.MX, len(recs))
	for i := range recs {
		out[i] = &recs[i]
	}
	return out
}
