package dnsbl

import (
	"net/netip"
	"strings"
	"testing"
)

// FuzzParseList: list files come from outside (a national feed); parsing
// must never panic, and every accepted plain address line must be found.
func FuzzParseList(f *testing.F) {
	f.Add("127.0.0.1\n127.1.0.0/16\n::1\nexample.com\n# c\n")
	f.Add("\uFEFFip,reason\n\"127.0.0.2\",x\n,\n")
	f.Add("127.0.0.300\nlocalhost\n::1%lo\n::ffff:127.0.0.0/104\n")
	f.Add("ví-dụ.test\r\nxn--.test\n-a.example.com\n")
	f.Fuzz(func(t *testing.T, content string) {
		l, err := parseList(strings.NewReader(content), "fuzz")
		if err != nil {
			if l != nil {
				t.Fatal("list returned with an error")
			}
			return
		}
		for line := range strings.Lines(content) {
			entry, csv := splitLine(line)
			if a, err := netip.ParseAddr(entry); err == nil && !csv && !l.ContainsIP(a) {
				t.Fatalf("accepted %q but ContainsIP is false", entry)
			}
		}
	})
}

func FuzzQueryName(f *testing.F) {
	f.Add([]byte{127, 0, 0, 2})
	f.Add(netip.IPv6Loopback().AsSlice())
	f.Fuzz(func(t *testing.T, b []byte) {
		ip, ok := netip.AddrFromSlice(b)
		name, got := QueryName(ip, "z.test")
		if got != ok {
			t.Fatalf("QueryName(%v) ok=%v, want %v", ip, got, ok)
		}
		want := 0
		switch {
		case !ok:
		case ip.Unmap().Is4():
			want = 4
		default:
			want = 32
		}
		if labels := strings.Count(name, ".") - 1; ok && labels != want {
			t.Fatalf("QueryName(%v) = %q: %d labels before the zone, want %d", ip, name, labels, want)
		}
	})
}
