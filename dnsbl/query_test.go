package dnsbl_test

import (
	"net/netip"
	"testing"

	"milter91/dnsbl"
)

func TestQueryName(t *testing.T) {
	test := func(ip netip.Addr, zone, want string, wantOK bool) {
		t.Helper()
		got, ok := dnsbl.QueryName(ip, zone)
		if got != want || ok != wantOK {
			t.Errorf("QueryName(%v, %q) = %q, %v; want %q, %v", ip, zone, got, ok, want, wantOK)
		}
	}
	// The two RFC 5782 examples use documentation addresses (RFC 5737,
	// RFC 3849); QueryName is pure, nothing is sent anywhere.
	test(netip.MustParseAddr("192.0.2.99"), "zone", "99.2.0.192.zone", true) // RFC 5782 §2.1
	test(netip.MustParseAddr("2001:db8:1:2:3:4:567:89ab"), "zone",
		"b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.zone", true) // RFC 5782 §2.4
	// RFC 5782 §5 test entries.
	test(netip.MustParseAddr("127.0.0.2"), "bl.example.test", "2.0.0.127.bl.example.test", true)
	test(netip.MustParseAddr("127.0.0.1"), "bl.example.test", "1.0.0.127.bl.example.test", true)
	test(netip.MustParseAddr("127.10.200.255"), "z.test", "255.200.10.127.z.test", true)
	test(netip.MustParseAddr("::1"), "z.test",
		"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.z.test", true)
	// IPv4-mapped IPv6 is asked as IPv4; a scope zone is dropped.
	test(netip.MustParseAddr("::ffff:127.0.0.2"), "z.test", "2.0.0.127.z.test", true)
	test(netip.MustParseAddr("::1%lo"), "z.test",
		"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.z.test", true)
	test(netip.Addr{}, "z.test", "", false)
}
