package auth

import (
	"strings"
	"testing"
)

func TestClaimsAuthservID(t *testing.T) {
	const id = "mx.example.net"
	tests := []struct {
		value string
		want  bool
	}{
		{"mx.example.net; spf=pass smtp.mailfrom=example.com", true},
		{" MX.Example.NET; none", true},
		{"mx.example.net 1; spf=pass", true},
		{"mx.example.net 2; spf=pass", true},
		{"mx.example.net (comment; with \\) semicolon) ; spf=pass", true},
		{"(leading (nested) comment) mx.example.net; dkim=pass", true},
		{"mx.example.net(no space);dkim=pass", true},
		{`"mx.example.net"; spf=pass`, true},
		{`"mx.exam\ple.net"; spf=pass`, true},
		{"mx.example.net.; spf=pass", true},
		{"mx.example.net", true},
		{"\r\n\tmx.example.net\r\n\t1;\r\n\tspf=pass", true},
		{"mx.example.net; spf", true},
		{"mx.example.net.evil.example; spf=pass", false},
		{"evil.example; spf=pass header.from=mx.example.net", false},
		{"mx; spf=pass", false},
		{"mx.example.net/x; spf=pass", false},
		{"mx.example.net junk; spf=pass", false},
		{"mx.example.net 1 2; spf=pass", false},
		{"(unterminated mx.example.net; spf=pass", false},
		{`"mx.example.net; spf=pass`, false},
		{"mx.example.net\u00a01; spf=pass", false},
		{"; spf=pass", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := ClaimsAuthservID(tc.value, id); got != tc.want {
			t.Errorf("ClaimsAuthservID(%q) = %v, want %v", tc.value, got, tc.want)
		}
	}
	if ClaimsAuthservID("mx.example.net; none", " ") {
		t.Error("an empty authserv-id must claim nothing")
	}
}

// FuzzClaimsAuthservID checks that no input panics, that a leading comment
// and the letter case of the id never change the answer, and that a value
// starting with a token id (one trailing dot allowed) followed by ";"
// always claims that id.
func FuzzClaimsAuthservID(f *testing.F) {
	for _, seed := range [][2]string{
		{"mx.example.net; spf=pass", "mx.example.net"},
		{"(c) mx.example.net 1; dkim=pass", "MX.example.net"},
		{`"mx.example.net" ; none`, "mx.example.net"},
		{"mx.example.net\u00a01;", "mx.example.net"},
		{"((\\", "x"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, value, id string) {
		got := ClaimsAuthservID(value, id)
		if again := ClaimsAuthservID("(fuzz) "+value, id); again != got {
			t.Errorf("leading comment changed the answer for %q, %q: %v then %v", value, id, got, again)
		}
		if isASCII(id) {
			if up := ClaimsAuthservID(value, strings.ToUpper(id)); up != got {
				t.Errorf("case of %q changed the answer for %q", id, value)
			}
		}
		if isToken(strings.TrimSuffix(id, ".")) && !ClaimsAuthservID(id+"; "+value, id) {
			t.Errorf("%q does not claim %q", id+"; "+value, id)
		}
	})
}
