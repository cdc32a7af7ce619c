package dnsbl_test

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"milter91/dnsbl"
	"milter91/internal/resolver"
)

// BenchmarkCheck: three zones answered from a Fake (listed, not listed,
// blocked); measures the package's own cost per client IP.
func BenchmarkCheck(b *testing.B) {
	zones, err := dnsbl.Compile([]dnsbl.ZoneConfig{
		{Name: "zen.example.test", Codes: []dnsbl.CodeMap{
			{Tag: "sbl", Match: "127.0.0.2"}, {Tag: "pbl", Match: "127.0.0.10/31"}, {Tag: "phish", Bitmask: 8},
		}},
		{Name: "bl.example.net"},
		{Name: "dnsbl.example.org", ErrorCodes: []string{"127.0.0.255"}},
	})
	if err != nil {
		b.Fatal(err)
	}
	r := &resolver.Fake{A: map[string][]netip.Addr{
		"2.0.0.127.zen.example.test":  {netip.MustParseAddr("127.0.0.2"), netip.MustParseAddr("127.0.0.11")},
		"2.0.0.127.dnsbl.example.org": {netip.MustParseAddr("127.0.0.255")},
	}}
	ip := netip.MustParseAddr("127.0.0.2")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if got := dnsbl.Check(ctx, r, zones, ip); len(got) != 3 {
			b.Fatalf("%d facts", len(got))
		}
	}
}

// BenchmarkListContainsIP: a list the size of the national blacklist
// (about 1.15 million addresses in 2020) plus some ranges.
func BenchmarkListContainsIP(b *testing.B) {
	var sb strings.Builder
	for i := range 1_150_000 {
		fmt.Fprintf(&sb, "127.%d.%d.%d\n", i>>16&0xff, i>>8&0xff, i&0xff)
	}
	for i := range 64 {
		fmt.Fprintf(&sb, "127.200.%d.0/24\n127.201.%d.0/28\n", i, i)
	}
	path := filepath.Join(b.TempDir(), "big.txt")
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	l, err := dnsbl.LoadList(path)
	if err != nil {
		b.Fatal(err)
	}
	hit, miss := netip.MustParseAddr("127.200.7.9"), netip.MustParseAddr("127.250.0.1")
	b.ReportAllocs()
	for b.Loop() {
		if !l.ContainsIP(hit) || l.ContainsIP(miss) {
			b.Fatal("wrong answer")
		}
	}
}
