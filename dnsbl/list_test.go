package dnsbl_test

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"milter91/dnsbl"
)

func writeList(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "blacklist.txt")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func loadList(t *testing.T, content string) *dnsbl.List {
	t.Helper()
	l, err := dnsbl.LoadList(writeList(t, content))
	if err != nil {
		t.Fatalf("LoadList: %v", err)
	}
	return l
}

func TestListContainsIP(t *testing.T) {
	l := loadList(t, "\uFEFF# national blacklist\r\n"+
		"127.0.0.5\r\n"+
		"   127.1.0.0/16   # a range\n"+
		"127.2.3.4/24\n"+ // host bits set: 127.2.3.0/24
		"::1\n"+
		"::ffff:127.9.0.0/112\n"+ // IPv4-mapped range: 127.9.0.0/16
		"\n")
	test := func(ip string, want bool) {
		t.Helper()
		var a netip.Addr
		if ip != "" {
			a = netip.MustParseAddr(ip)
		}
		if got := l.ContainsIP(a); got != want {
			t.Errorf("ContainsIP(%q) = %v, want %v", ip, got, want)
		}
	}
	test("127.0.0.5", true)
	test("127.0.0.4", false)
	test("127.0.0.6", false)
	test("127.1.0.0", true)
	test("127.1.255.255", true)
	test("127.0.255.255", false)
	test("127.3.0.0", false)
	test("127.2.3.0", true)
	test("127.2.3.255", true)
	test("127.2.4.0", false)
	test("127.9.200.1", true)
	test("::1", true)
	test("::1%lo", true)
	test("::2", false)
	test("::ffff:127.0.0.5", true) // mapped client, IPv4 entry
	test("::ffff:127.0.0.4", false)
	test("", false)
	if l.Len() != 5 {
		t.Errorf("Len = %d, want 5", l.Len())
	}
}

func TestListContainsDomain(t *testing.T) {
	l := loadList(t, "example.com\nSpam.Example.NET.\nví-dụ.test\nxn--bcher-kva.example.org\nbücher.test\n")
	test := func(name string, want bool) {
		t.Helper()
		if got := l.ContainsDomain(name); got != want {
			t.Errorf("ContainsDomain(%q) = %v, want %v", name, got, want)
		}
	}
	test("example.com", true)
	test("EXAMPLE.com.", true)
	test("mail.example.com", true)
	test("a.b.c.example.com", true)
	test("notexample.com", false) // a parent, not a suffix
	test("com", false)
	test("example.net", false) // only the listed subdomain
	test("spam.example.net", true)
	test("x.spam.example.net", true)
	test("xn--bcher-kva.test", true) // A-label query, Unicode entry (RFC 3492 "bücher")
	test("www.ví-dụ.test", true)     // Unicode query
	test("bücher.example.org", true) // Unicode query, A-label entry
	test("exa mple.com", false)      // invalid
	test("", false)
	test(".", false)
}

func TestListCSV(t *testing.T) {
	l := loadList(t, "ip,reason,added\n"+
		"127.0.0.7,spam source,2026-01-02\n"+
		`"127.3.0.0/16","range, quoted",2026-01-03`+"\n"+
		"spam.example.com,phishing\n"+
		"127.0.0.8\n") // a plain line among CSV ones
	for _, ip := range []string{"127.0.0.7", "127.3.4.5", "127.0.0.8"} {
		if !l.ContainsIP(netip.MustParseAddr(ip)) {
			t.Errorf("%s not listed", ip)
		}
	}
	if !l.ContainsDomain("spam.example.com") || l.Len() != 4 {
		t.Errorf("spam.example.com listed=%v, Len=%d want 4", l.ContainsDomain("spam.example.com"), l.Len())
	}
}

func TestListEmpty(t *testing.T) {
	l := loadList(t, "# nothing yet\n\n")
	if l.Len() != 0 || l.ContainsIP(netip.MustParseAddr("127.0.0.1")) || l.ContainsDomain("example.com") {
		t.Errorf("empty list matches")
	}
}

func TestLoadListErrors(t *testing.T) {
	test := func(name, content string, wants ...string) {
		t.Helper()
		path := writeList(t, content)
		l, err := dnsbl.LoadList(path)
		if err == nil {
			t.Errorf("%s: no error, Len %d", name, l.Len())
			return
		}
		if l != nil {
			t.Errorf("%s: list returned with an error", name)
		}
		for _, w := range wants {
			if w = strings.ReplaceAll(w, "PATH", path); !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q\n does not contain %q", name, err, w)
			}
		}
	}
	test("every bad line at once",
		"127.0.0.1\n127.0.0.300\n# fine\nlocalhost\n127.0.0.0/33\n\nexample.com\nbad_name.example.com\n127.0.0.1 extra\n",
		`PATH:2: "127.0.0.300": not an IP address, CIDR or domain name: numeric top-level label`,
		`PATH:4: "localhost": not an IP address, CIDR or domain name: a domain needs at least two labels`,
		`PATH:5: "127.0.0.0/33": not a CIDR`,
		`PATH:8: "bad_name.example.com"`,
		`PATH:9: "127.0.0.1 extra"`)
	test("csv header only on the first line", "127.0.0.1,a\nip,reason\n", `PATH:2: "ip"`)
	test("empty csv column", "127.0.0.1\n,reason\n", "PATH:2: empty entry")
	test("scoped address", "::1%lo\n", `PATH:1: "::1%lo": scoped IPv6 address`)
	test("empty label", "a..example.com\n", `PATH:1: "a..example.com"`)
	test("long line", "127.0.0.1\n"+strings.Repeat("a", 70000)+"\n", "PATH:2: line longer than 64 KiB")

	_, err := dnsbl.LoadList(filepath.Join(t.TempDir(), "missing.txt"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestLoadListErrorsCapped(t *testing.T) {
	var many strings.Builder
	for i := range 150 {
		fmt.Fprintf(&many, "bad%d\n", i)
	}
	path := writeList(t, many.String())
	_, err := dnsbl.LoadList(path)
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 101 || !strings.HasPrefix(lines[99], path+":100: ") || lines[100] != path+": 50 more bad lines" {
		t.Errorf("got %d lines, last two %q", len(lines), lines[max(0, len(lines)-2):])
	}
}
