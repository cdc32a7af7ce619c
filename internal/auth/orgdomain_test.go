package auth

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

func TestOrgDomain(t *testing.T) {
	tests := []struct{ in, want string }{
		{"example.com", "example.com"},
		{"mail.Example.COM.", "example.com"},
		{"a.b.example.co.uk", "example.co.uk"},
		{"co.uk", ""},
		{"com", ""},
		{"", ""},
		{".example.com", ""},
		{"a..example.com", ""},
		{"host.example.test", "example.test"},
		{"www.xn--85x722f.xn--fiqs8s", "xn--85x722f.xn--fiqs8s"},
		{"www.食狮.中国", "食狮.中国"},
	}
	for _, tc := range tests {
		if got := OrgDomain(tc.in); got != tc.want {
			t.Errorf("OrgDomain(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestOrgDomainPSLVectors runs the Public Suffix List's tests.txt ("input
// expected", "null" for none) against OrgDomain. golang.org/x/net embeds its
// own snapshot of the list, so a vector that depends on a newer rule is
// logged, not failed; the bulk must agree.
func TestOrgDomainPSLVectors(t *testing.T) {
	f, err := os.Open("testdata/dmarc/psl/tests.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var total, agree int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 || strings.HasPrefix(fields[0], "//") || fields[0] == "null" {
			continue
		}
		want := fields[1]
		if want == "null" {
			want = ""
		}
		total++
		if got := OrgDomain(fields[0]); got == want {
			agree++
		} else {
			t.Logf("PSL vector %s: got %q, want %q (embedded list may differ)", fields[0], got, want)
		}
	}
	t.Logf("PSL tests.txt: %d vectors, %d agree", total, agree)
	if total < 70 || agree*100 < total*95 {
		t.Errorf("only %d of %d PSL vectors agree, want at least 95%%", agree, total)
	}
}
