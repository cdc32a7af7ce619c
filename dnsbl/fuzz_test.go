package dnsbl

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"milter91/internal/fileerr"
)

// FuzzParseList: list files come from outside (a national feed, CSV
// exports); parsing must never panic nor recover a panic, and every entry
// of an accepted file, a plain line or the first column of a CSV record,
// must be found by the lookup for its kind (the first CSV record may be a
// header and is not checked). Seeds: testdata/fuzz/FuzzParseList.
func FuzzParseList(f *testing.F) {
	f.Add("127.0.0.1\n127.1.0.0/16\n::1\nexample.com\n# c\n")
	f.Add("\uFEFFip,reason\n\"127.0.0.2\",x\n,\n")
	f.Add("127.0.0.300\nlocalhost\n::1%lo\n::ffff:127.0.0.0/104\n")
	f.Add("ví-dụ.test\r\nxn--.test\n-a.example.com\n")
	f.Fuzz(func(t *testing.T, content string) {
		l, err := parseList(strings.NewReader(content), "fuzz")
		if err != nil {
			var internal fileerr.List
			if l != nil || (errors.As(err, &internal) && internal[0].Internal) {
				t.Fatalf("list %v with error %v", l != nil, err)
			}
			return
		}
		first := true
		for line := range strings.Lines(strings.TrimPrefix(content, "\uFEFF")) {
			entry, csv := splitLine(line)
			if entry == "" && !csv {
				continue
			}
			header := first && csv
			first = false
			if !header && !listed(l, entry) {
				t.Fatalf("accepted %q (line %q) but its lookup misses it", entry, line)
			}
		}
	})
}

// listed looks entry up the way listBuilder.add classifies it.
func listed(l *List, entry string) bool {
	if d, ok := strings.CutPrefix(entry, "="); ok {
		return l.ContainsDomain(d)
	}
	if strings.Contains(entry, "@") {
		return l.ContainsAddress(entry)
	}
	if p, err := netip.ParsePrefix(entry); err == nil {
		return l.ContainsIP(p.Masked().Addr())
	}
	if a, err := netip.ParseAddr(entry); err == nil {
		return l.ContainsIP(a)
	}
	return l.ContainsDomain(entry)
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

// FuzzPlanMessage: targets come from the message (HELO, headers, links);
// planning must never panic, stay within the limits, and send only
// well-formed query names.
func FuzzPlanMessage(f *testing.F) {
	f.Add("mail.example.com", "www.Bücher.example", "192.0.2.7")
	f.Add("..", "[::1]", "xn--.test")
	f.Add(strings.Repeat("a.", 130)+"com", "-a.example.org", "a@b")
	zones, err := Compile([]ZoneConfig{
		{Name: "bl.example.test", Sources: []string{SourceClient, SourceURL}, IPv6: true},
		{Name: "dbl.example.test", Type: TypeDomain},
		{Name: "full.example.test", Type: TypeDomain, FullName: true},
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, helo, link, other string) {
		s := Subject{ClientIP: netip.MustParseAddr("127.0.0.2"), Targets: []Target{
			{Source: SourceHELO, Name: helo}, {Source: SourceURL, Name: link},
			{Source: SourceURL, Name: other}, {Source: SourceEmail, Name: other, Address: "x@" + other},
		}}
		jobs, _ := planMessage(zones, s, Limits{MaxQueries: 5, MaxBodyDomains: 1})
		if len(jobs) > 5 {
			t.Fatalf("%d jobs over the budget of 5", len(jobs))
		}
		for _, j := range jobs {
			if len(j.query) > 253 || strings.Contains(j.query, "..") || strings.HasPrefix(j.query, ".") {
				t.Fatalf("query %q", j.query)
			}
		}
	})
}
