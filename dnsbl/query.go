package dnsbl

import (
	"net/netip"
	"strings"
)

const hexDigits = "0123456789abcdef"

// QueryName returns the DNS name under which zone lists ip, without a
// trailing dot, and false when ip is the zero Addr. An IPv6 scope zone
// ("%eth0") is dropped. IPv4 (and IPv4-mapped IPv6) addresses give the four
// octets reversed, RFC 5782 §2.1: 192.0.2.99 → "99.2.0.192.<zone>". IPv6
// addresses give the 32 nibbles reversed, RFC 5782 §2.4:
// 2001:db8::1 → "1.0.0.0.<...>.8.b.d.0.1.0.0.2.<zone>".
func QueryName(ip netip.Addr, zone string) (string, bool) {
	if !ip.IsValid() {
		return "", false
	}
	ip = ip.WithZone("").Unmap()
	var b strings.Builder
	if ip.Is4() {
		o := ip.As4()
		b.Grow(16 + len(zone))
		for i := 3; i >= 0; i-- {
			writeDecimal(&b, o[i])
			b.WriteByte('.')
		}
	} else {
		o := ip.As16()
		b.Grow(64 + len(zone))
		for i := 15; i >= 0; i-- {
			b.WriteByte(hexDigits[o[i]&0x0f])
			b.WriteByte('.')
			b.WriteByte(hexDigits[o[i]>>4])
			b.WriteByte('.')
		}
	}
	b.WriteString(zone)
	return b.String(), true
}

// writeDecimal writes v without leading zeros (RFC 5782 §2.1).
func writeDecimal(b *strings.Builder, v byte) {
	if v >= 100 {
		b.WriteByte('0' + v/100)
	}
	if v >= 10 {
		b.WriteByte('0' + v/10%10)
	}
	b.WriteByte('0' + v%10)
}
