package dnsbl_test

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

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

// ipList has nested ranges written narrow-first, so that the merge must
// not depend on the file's order.
const ipList = "\uFEFF# national blacklist\r\n" +
	"127.0.0.5\r\n" +
	"127.0.0.6/32\n" +
	"   127.1.0.0/16   # a range\n" +
	"127.2.3.4/24\n" + // host bits set: 127.2.3.0/24
	"127.18.3.4\n" + // inside 127.16.0.0/12, written later
	"127.17.0.0/16\n" +
	"127.16.0.0/12\n" +
	"127.18.3.4\n" + // duplicate
	"127.255.255.255\n" +
	"::1\n" +
	"::ffff:127.9.0.0/112\n" + // IPv4-mapped range: 127.9.0.0/16
	"2001:db8:1:2::/64\n" +
	"2001:db8:1::/48\n" +
	"2001:db8:2::7\n" +
	"\n"

func TestListMatchIP(t *testing.T) {
	tests := []struct {
		list, ip, want string // want "" = not listed
	}{
		{ipList, "127.0.0.5", "127.0.0.5"},
		{ipList, "127.0.0.4", ""},
		{ipList, "127.0.0.6", "127.0.0.6"},
		{ipList, "127.0.0.7", ""},
		{ipList, "127.1.0.0", "127.1.0.0/16"},
		{ipList, "127.1.255.255", "127.1.0.0/16"},
		{ipList, "127.0.255.255", ""},
		{ipList, "127.2.0.0", ""},
		{ipList, "127.2.3.0", "127.2.3.0/24"},
		{ipList, "127.2.3.255", "127.2.3.0/24"},
		{ipList, "127.2.4.0", ""},
		{ipList, "127.15.255.255", ""},
		{ipList, "127.16.0.0", "127.16.0.0/12"},
		{ipList, "127.17.9.9", "127.16.0.0/12"}, // nested: the broadest entry
		{ipList, "127.18.3.4", "127.16.0.0/12"},
		{ipList, "127.31.255.255", "127.16.0.0/12"},
		{ipList, "127.32.0.0", ""},
		{ipList, "127.255.255.254", ""},
		{ipList, "127.255.255.255", "127.255.255.255"},
		{ipList, "127.9.200.1", "127.9.0.0/16"},
		{ipList, "::1", "::1"},
		{ipList, "::1%lo", "::1"},
		{ipList, "::", ""},
		{ipList, "::2", ""},
		{ipList, "::ffff:127.0.0.5", "127.0.0.5"}, // mapped client, IPv4 entry
		{ipList, "::ffff:127.0.0.4", ""},
		{ipList, "2001:db8:0:ffff:ffff:ffff:ffff:ffff", ""},
		{ipList, "2001:db8:1::", "2001:db8:1::/48"},
		{ipList, "2001:db8:1:2::9", "2001:db8:1::/48"},
		{ipList, "2001:db8:1:ffff:ffff:ffff:ffff:ffff", "2001:db8:1::/48"},
		{ipList, "2001:db8:2::6", ""},
		{ipList, "2001:db8:2::7", "2001:db8:2::7"},
		{ipList, "2001:db8:2::8", ""},
		{ipList, "", ""}, // the zero Addr
		{"0.0.0.0/0\n", "127.0.0.1", "0.0.0.0/0"},
		{"0.0.0.0/0\n", "::1", ""},
		{"::/0\n", "2001:db8::1", "::/0"},
		{"::/0\n", "127.0.0.1", ""}, // an IPv4 client is not in IPv6 space
		{"2001:db8::/32\n", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::/32"},
		{"2001:db8::/32\n", "2001:db9::", ""},
		{"# empty\n", "127.0.0.1", ""},
	}
	lists := map[string]*dnsbl.List{}
	for _, tc := range tests {
		l := lists[tc.list]
		if l == nil {
			l = loadList(t, tc.list)
			lists[tc.list] = l
		}
		var a netip.Addr
		if tc.ip != "" {
			a = netip.MustParseAddr(tc.ip)
		}
		got, ok := l.MatchIP(a)
		if got != tc.want || ok != (tc.want != "") || l.ContainsIP(a) != ok {
			t.Errorf("list %.20q: MatchIP(%s) = %q, %v; ContainsIP %v; want %q",
				tc.list, tc.ip, got, ok, l.ContainsIP(a), tc.want)
		}
	}
	if n := lists[ipList].Len(); n != 13 {
		t.Errorf("Len = %d, want 13 (nested entries count, the duplicate does not)", n)
	}
}

func TestListMatchDomain(t *testing.T) {
	l := loadList(t, "example.com\n=exact.example.net\nSpam.Example.NET.\nví-dụ.test\n"+
		"xn--bcher-kva.example.org\nbücher.test\n=both.example.org\nboth.example.org\n=only.example.org\n"+
		"a-b.example.org\n")
	tests := []struct{ name, want string }{
		{"example.com", "example.com"},
		{"EXAMPLE.com.", "example.com"},
		{"mail.example.com", "example.com"},
		{"a.b.c.example.com", "example.com"},
		{"notexample.com", ""}, // a parent, not a suffix
		{"com", ""},
		{"example.net", ""}, // only the listed subdomains
		{"spam.example.net", "spam.example.net"},
		{"x.spam.example.net", "spam.example.net"},
		{"exact.example.net", "=exact.example.net"},
		{"EXACT.Example.NET.", "=exact.example.net"},
		{"www.exact.example.net", ""},
		{"xn--bcher-kva.test", "xn--bcher-kva.test"}, // A-label query, Unicode entry (RFC 3492 "bücher")
		{"BÜCHER.test", "xn--bcher-kva.test"},
		{"www.ví-dụ.test", "xn--v-d-rma6749a.test"},
		{"bücher.example.org", "xn--bcher-kva.example.org"}, // Unicode query, A-label entry
		{"both.example.org", "both.example.org"},            // the subtree entry covers the exact one
		{"www.both.example.org", "both.example.org"},
		{"only.example.org", "=only.example.org"},
		{"www.only.example.org", ""},
		{"A-B.Example.ORG", "a-b.example.org"},
		{"bad_name.example.com", ""}, // not a domain name
		{"exa mple.com", ""},
		{"-a.example.com", ""},
		{"", ""},
		{".", ""},
	}
	for _, tc := range tests {
		got, ok := l.MatchDomain(tc.name)
		if got != tc.want || ok != (tc.want != "") || l.ContainsDomain(tc.name) != ok {
			t.Errorf("MatchDomain(%q) = %q, %v; ContainsDomain %v; want %q",
				tc.name, got, ok, l.ContainsDomain(tc.name), tc.want)
		}
	}
	if l.Len() != 10 {
		t.Errorf("Len = %d, want 10", l.Len())
	}
}

func TestListMatchAddress(t *testing.T) {
	l := loadList(t, "User.Name@Example.ORG\ninfo@bücher.test\nblocked.example.net\n"+
		"=exact.example.com\n<Bracket@example.com>\nĐặng@example.org\n")
	tests := []struct{ addr, want string }{
		{"user.name@example.org", "user.name@example.org"},
		{"USER.NAME@EXAMPLE.ORG.", "user.name@example.org"},
		{"<User.Name@example.org>", "user.name@example.org"},
		{"other@example.org", ""},
		{"user.name@mail.example.org", ""}, // an address entry is that address only
		{"Info@xn--bcher-kva.test", "info@xn--bcher-kva.test"},
		{"info@BÜCHER.test", "info@xn--bcher-kva.test"},
		{"ĐẶNG@example.org", "đặng@example.org"},
		{"anyone@blocked.example.net", "blocked.example.net"},
		{"a@mx.Blocked.example.net", "blocked.example.net"},
		{"a@exact.example.com", "=exact.example.com"},
		{"a@sub.exact.example.com", ""},
		{"bracket@example.com", "bracket@example.com"},
		{"user@bad_name.blocked.example.net", ""}, // not a domain name
		{"@blocked.example.net", ""},
		{"blocked.example.net", ""}, // a domain, not an address
		{"a@", ""},
		{"<>", ""},
		{"", ""},
	}
	for _, tc := range tests {
		got, ok := l.MatchAddress(tc.addr)
		if got != tc.want || ok != (tc.want != "") || l.ContainsAddress(tc.addr) != ok {
			t.Errorf("MatchAddress(%q) = %q, %v; ContainsAddress %v; want %q",
				tc.addr, got, ok, l.ContainsAddress(tc.addr), tc.want)
		}
	}
}

func TestListCSV(t *testing.T) {
	l := loadList(t, "entry,reason,added\n"+
		"127.0.0.7,spam source,2026-01-02\n"+
		`"127.3.0.0/16","range, quoted",2026-01-03`+"\n"+
		"spam.example.com,phishing\n"+
		"=only.example.net,exact\n"+
		"sales@example.org,advertiser\n"+
		"127.0.0.8\n") // a plain line among CSV ones
	for _, ip := range []string{"127.0.0.7", "127.3.4.5", "127.0.0.8"} {
		if !l.ContainsIP(netip.MustParseAddr(ip)) {
			t.Errorf("%s not listed", ip)
		}
	}
	if !l.ContainsDomain("spam.example.com") || !l.ContainsDomain("only.example.net") ||
		!l.ContainsAddress("sales@example.org") || l.Len() != 6 {
		t.Errorf("CSV entries missing or Len %d, want 6", l.Len())
	}
}

func TestListEmptyAndNil(t *testing.T) {
	var nilList *dnsbl.List
	for name, l := range map[string]*dnsbl.List{"empty": loadList(t, "# nothing yet\n\n"), "nil": nilList} {
		_, okIP := l.MatchIP(netip.MustParseAddr("127.0.0.1"))
		_, okDom := l.MatchDomain("example.com")
		_, okAddr := l.MatchAddress("user@example.com")
		if l.Len() != 0 || okIP || okDom || okAddr || l.ContainsIP(netip.IPv6Loopback()) {
			t.Errorf("%s list matches or has Len %d", name, l.Len())
		}
	}
}

func TestLoadListErrors(t *testing.T) {
	long := strings.Repeat("x", 65)
	tests := []struct {
		name, content string
		wants         []string // PATH is replaced by the file's path
	}{
		{"every bad line at once",
			"127.0.0.1\n127.0.0.300\n# fine\nlocalhost\n127.0.0.0/33\n\nexample.com\nbad_name.example.com\n127.0.0.1 extra\n",
			[]string{
				`PATH:2: "127.0.0.300": not an IP address, CIDR, domain name or email address: numeric top-level label`,
				`PATH:4: "localhost": not an IP address, CIDR, domain name or email address: a domain needs at least two labels`,
				`PATH:5: "127.0.0.0/33": not a CIDR`,
				`PATH:8: "bad_name.example.com"`,
				`PATH:9: "127.0.0.1 extra"`,
			}},
		{"csv header only on the first line", "127.0.0.1,a\nip,reason\n", []string{`PATH:2: "ip"`}},
		{"empty csv column", "127.0.0.1\n,reason\n", []string{"PATH:2: empty entry"}},
		{"scoped address", "::1%lo\n", []string{`PATH:1: "::1%lo": scoped IPv6 address`}},
		{"empty label", "a..example.com\n", []string{`PATH:1: "a..example.com"`}},
		{"leading hyphen", "example.com\n-a.example.com\n", []string{`PATH:2: "-a.example.com"`}},
		{"hyphens in 3rd and 4th place", "ab--cd.example.com\n", []string{`PATH:1: "ab--cd.example.com"`}},
		{"exact IP", "=127.0.0.1\n", []string{`PATH:1: "=127.0.0.1": '=' needs a domain name: numeric top-level label`}},
		{"exact nothing", "=\n", []string{`PATH:1: "=": '=' needs a domain name`}},
		{"exact TLD", "=com\n", []string{`PATH:1: "=com": '=' needs a domain name: a domain needs at least two labels`}},
		{"no local part", "@example.com\n", []string{`PATH:1: "@example.com": not an email address: empty local part`}},
		{"no domain", "user@\n", []string{`PATH:1: "user@": not an email address: domain: a domain needs at least two labels`}},
		{"bad address domain", "user@bad_name.example.com\n", []string{`PATH:1: "user@bad_name.example.com": not an email address: domain:`}},
		{"space in local part", "a b@example.com\n", []string{`PATH:1: "a b@example.com": not an email address: space or control character`}},
		{"long local part", long + "@example.com\n", []string{"PATH:1: ", "local part longer than 64 octets"}},
		{"long line", "127.0.0.1\n" + strings.Repeat("a", 70000) + "\n", []string{"PATH:2: line longer than 64 KiB"}},
	}
	for _, tc := range tests {
		path := writeList(t, tc.content)
		l, err := dnsbl.LoadList(path)
		if err == nil {
			t.Errorf("%s: no error, Len %d", tc.name, l.Len())
			continue
		}
		if l != nil {
			t.Errorf("%s: list returned with an error", tc.name)
		}
		for _, w := range tc.wants {
			if w = strings.ReplaceAll(w, "PATH", path); !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q\n does not contain %q", tc.name, err, w)
			}
		}
	}
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

// A list path that is not a regular file is refused at once: a FIFO
// without a writer blocked os.Open for ever, and with it the start, every
// later SIGHUP and POST /v1/reload, and SIGTERM (the signal loop waited on
// the reload); a device such as /dev/urandom would be read without end.
func TestLoadListRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "national.txt")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{fifo, dir, "/dev/null"} {
		done := make(chan error, 1)
		go func() {
			_, err := dnsbl.LoadList(path)
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "not a regular file") || !strings.Contains(err.Error(), path) {
				t.Errorf("LoadList(%s) = %v, want not a regular file, naming the path", path, err)
			}
		case <-time.After(time.Minute): // a last guard: the call blocked
			t.Fatalf("LoadList(%s) blocked", path)
		}
	}
}
