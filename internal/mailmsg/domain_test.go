package mailmsg

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

func TestParseDomain(t *testing.T) {
	tests := []struct {
		in, ascii, unicode, err string
	}{
		{in: "Example.COM", ascii: "example.com"},
		{in: " mail.example.com. ", ascii: "mail.example.com"},
		{in: "sub_domain.example.com", ascii: "sub_domain.example.com"},
		{in: "ví-dụ.vn", ascii: "xn--v-d-rma6749a.vn", unicode: "ví-dụ.vn"},
		{in: "XN--V-D-RMA6749A.vn", ascii: "xn--v-d-rma6749a.vn", unicode: "ví-dụ.vn"},
		{in: "www.食狮.中国", ascii: "www.xn--85x722f.xn--fiqs8s", unicode: "www.食狮.中国"},
		// An A-label that does not decode stays ASCII only.
		{in: "xn--zz.example", ascii: "xn--zz.example"},
		{in: "", err: "empty domain"},
		{in: ".", err: "empty domain"},
		{in: "exa mple.com", err: "not allowed"},
		{in: "a..example.com", err: "empty label"},
		{in: ".example.com", err: "empty label"},
		{in: "[192.0.2.1]", err: "not allowed"},
		{in: "bad\u00a0space.vn", err: "IDNA"},
	}
	for _, tc := range tests {
		d, err := ParseDomain(tc.in)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseDomain(%q) = %+v, %v; want an error with %q", tc.in, d, err, tc.err)
			}
		case err != nil || d.ASCII != tc.ascii || d.Unicode != tc.unicode:
			t.Errorf("ParseDomain(%q) = %+v, %v; want {%s %s}", tc.in, d, err, tc.ascii, tc.unicode)
		}
	}
}

func TestDomainNames(t *testing.T) {
	idn := Domain{ASCII: "xn--v-d-rma6749a.vn", Unicode: "ví-dụ.vn"}
	plain := Domain{ASCII: "example.com"}
	if idn.Name() != "ví-dụ.vn" || plain.Name() != "example.com" {
		t.Errorf("Name: %q %q", idn.Name(), plain.Name())
	}
	if idn.String() != "ví-dụ.vn/xn--v-d-rma6749a.vn" || plain.String() != "example.com" {
		t.Errorf("String: %q %q", idn.String(), plain.String())
	}
	if !(Domain{}).IsZero() || plain.IsZero() {
		t.Error("IsZero")
	}
}

// orgName is the organizational domain of s in the form of s (Unicode
// input gives U-labels), "" when s is no domain or is a public suffix:
// the PSL test vectors' convention.
func orgName(s string) string {
	d, err := ParseDomain(s)
	if err != nil {
		return ""
	}
	org, ok := OrgDomain(d)
	if !ok {
		return ""
	}
	if isASCII(s) {
		return org.ASCII
	}
	return org.Unicode
}

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
		if got := orgName(tc.in); got != tc.want {
			t.Errorf("OrgDomain(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A public suffix stands for itself, with ok false; an IDN's
// organizational domain has both forms, so that U-label and A-label
// spellings of one name compare equal by ASCII.
func TestOrgDomainForms(t *testing.T) {
	suffix, _ := ParseDomain("com.vn")
	if org, ok := OrgDomain(suffix); ok || org != suffix {
		t.Errorf("OrgDomain(com.vn) = %+v, %v; want itself, false", org, ok)
	}
	u, _ := ParseDomain("mail.ví-dụ.vn")
	a, _ := ParseDomain("MAIL.xn--v-d-rma6749a.vn")
	ou, _ := OrgDomain(u)
	oa, _ := OrgDomain(a)
	want := Domain{ASCII: "xn--v-d-rma6749a.vn", Unicode: "ví-dụ.vn"}
	if ou != want || oa != want {
		t.Errorf("OrgDomain: from U-labels %+v, from A-labels %+v; want %+v", ou, oa, want)
	}
	if org, ok := OrgDomain(Domain{}); ok || !org.IsZero() {
		t.Errorf("OrgDomain of the zero Domain = %+v, %v", org, ok)
	}
}

// TestOrgDomainPSLVectors runs the Public Suffix List's tests.txt ("input
// expected", "null" for none) against OrgDomain. golang.org/x/net embeds its
// own snapshot of the list, so a vector that depends on a newer rule is
// logged, not failed; the bulk must agree.
func TestOrgDomainPSLVectors(t *testing.T) {
	f, err := os.Open("testdata/psl/tests.txt")
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
		if got := orgName(fields[0]); got == want {
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
