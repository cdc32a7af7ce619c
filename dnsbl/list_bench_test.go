package dnsbl_test

import (
	"bufio"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"milter91/dnsbl"
)

// bigList describes the generated 1.2-million-entry list and some values
// known to be in it or not.
type bigList struct {
	path                         string
	ipHit, ipMiss, ip6Hit, cidr  netip.Addr
	domainHit, domainMiss, email string
}

// mix spreads i over n values without repeats (odd multiplier mod 2^k),
// so that the file is not sorted, as a real feed is not.
func benchMix(i, mask uint32) uint32 { return i * 2654435761 & mask }

func benchV4(x uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)})
}

// writeBigList writes 600k IPv4 addresses, 100k IPv4 CIDRs (/24-/30,
// many nested in each other or holding listed addresses), 100k IPv6
// addresses and /48-/64 CIDRs, 300k domains (one in ten exact) and 100k
// email addresses: a national blacklist in the size of 2020's (1.15
// million entries) plus an operator's lists. IPv4 entries stay in
// 127.0.0.0/9, so 127.200.0.1 is not listed.
func writeBigList(tb testing.TB, dir string) bigList {
	tb.Helper()
	bl := bigList{path: filepath.Join(dir, "big.txt")}
	f, err := os.Create(bl.path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "# generated: 1.2 million entries")
	for i := range uint32(600_000) {
		fmt.Fprintln(w, benchV4(127<<24|benchMix(i, 1<<23-1)))
	}
	for i := range uint32(100_000) {
		bits := 24 + int(i%7)
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{127, byte(benchMix(i+1, 127)), byte(i >> 8), byte(i)}), bits).Masked()
		fmt.Fprintf(w, "%s,cidr %d\n", p, i)
	}
	for i := range 100_000 {
		if i%2 == 0 {
			x := benchMix(uint32(i), 1<<32-1)
			fmt.Fprintf(w, "2001:db8:%x::%x:%x\n", i>>8, x>>16, x&0xffff)
		} else {
			fmt.Fprintf(w, "2001:db8:%x:%x::/%d\n", 0x8000|i>>4, i&0xffff, 48+i%17)
		}
	}
	for i := range 300_000 {
		eq := ""
		if i%10 == 0 {
			eq = "="
		}
		fmt.Fprintf(w, "%sh%x.spam-%d.example.com\n", eq, benchMix(uint32(i), 1<<30-1), i%500)
	}
	for i := range 100_000 {
		fmt.Fprintf(w, "user.%d@mail-%d.example.org\n", i, i%1000)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	bl.ipHit = benchV4(127<<24 | benchMix(4242, 1<<23-1))
	bl.ipMiss = netip.MustParseAddr("127.200.0.1")
	x := benchMix(4242, 1<<32-1)
	bl.ip6Hit = netip.MustParseAddr(fmt.Sprintf("2001:db8:%x::%x:%x", 4242>>8, x>>16, x&0xffff))
	bl.cidr = benchV4(127<<24 | benchMix(44, 127)<<16 | 43) // in CIDR 43, a /25
	bl.domainHit = fmt.Sprintf("www.h%x.spam-%d.example.com", benchMix(4243, 1<<30-1), 4243%500)
	bl.domainMiss = "www.not-listed.example.com"
	bl.email = "user.4242@mail-242.example.org"
	return bl
}

// BenchmarkLoadList1M2: load time of a 1.2-million-entry list file, and
// "heap-MiB", the live heap the loaded List holds.
func BenchmarkLoadList1M2(b *testing.B) {
	bl := writeBigList(b, b.TempDir())
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	kept, err := dnsbl.LoadList(bl.path)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := float64(after.HeapAlloc) - float64(before.HeapAlloc)
	b.ReportAllocs()
	for b.Loop() {
		l, err := dnsbl.LoadList(bl.path)
		if err != nil || l.Len() != kept.Len() {
			b.Fatalf("Len %d, want %d: %v", l.Len(), kept.Len(), err)
		}
	}
	b.ReportMetric(heap/(1<<20), "heap-MiB")
	b.ReportMetric(float64(kept.Len()), "entries")
	runtime.KeepAlive(kept)
}

// BenchmarkListLookup: one lookup of each kind in the 1.2-million-entry
// list; every sub-benchmark checks its answer.
func BenchmarkListLookup(b *testing.B) {
	bl := writeBigList(b, b.TempDir())
	l, err := dnsbl.LoadList(bl.path)
	if err != nil {
		b.Fatal(err)
	}
	ip := func(a netip.Addr, want bool) func(*testing.B) {
		return func(b *testing.B) {
			for b.Loop() {
				if l.ContainsIP(a) != want {
					b.Fatalf("ContainsIP(%s) != %v", a, want)
				}
			}
		}
	}
	b.Run("ip-hit", ip(bl.ipHit, true))
	b.Run("ip-miss", ip(bl.ipMiss, false))
	b.Run("ipv6", ip(bl.ip6Hit, true))
	b.Run("cidr", ip(bl.cidr, true))
	domain := func(name string, want bool) func(*testing.B) {
		return func(b *testing.B) {
			for b.Loop() {
				if l.ContainsDomain(name) != want {
					b.Fatalf("ContainsDomain(%s) != %v", name, want)
				}
			}
		}
	}
	b.Run("domain-hit", domain(bl.domainHit, true))
	b.Run("domain-miss", domain(bl.domainMiss, false))
	b.Run("email", func(b *testing.B) {
		for b.Loop() {
			if !l.ContainsAddress(bl.email) {
				b.Fatalf("ContainsAddress(%s) = false", bl.email)
			}
		}
	})
	// The -spread variants cycle through 64k listed entries spread over
	// the list, so that most lookups miss the CPU caches, as a server's do.
	b.Run("ip-hit-spread", func(b *testing.B) {
		i := uint32(0)
		for b.Loop() {
			i = (i + 9) & 0xffff
			if a := benchV4(127<<24 | benchMix(i, 1<<23-1)); !l.ContainsIP(a) {
				b.Fatalf("ContainsIP(%s) = false", a)
			}
		}
	})
	b.Run("domain-hit-spread", func(b *testing.B) {
		names := make([]string, 1<<16)
		for i := range names {
			names[i] = fmt.Sprintf("www.h%x.spam-%d.example.com", benchMix(uint32(i*4+1), 1<<30-1), (i*4+1)%500)
		}
		i := 0
		for b.Loop() {
			i = (i + 9) & 0xffff
			if !l.ContainsDomain(names[i]) {
				b.Fatalf("ContainsDomain(%s) = false", names[i])
			}
		}
	})
	b.Run("match-ip", func(b *testing.B) {
		for b.Loop() {
			if _, ok := l.MatchIP(bl.cidr); !ok {
				b.Fatalf("MatchIP(%s) not ok", bl.cidr)
			}
		}
	})
}
