package decree

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"milter91/internal/txn"
)

// FuzzAnalyze feeds arbitrary messages to Analyze: it must not panic and
// its result must keep the invariants of checkInvariants.
func FuzzAnalyze(f *testing.F) {
	paths, _ := fixturePathsNoFail()
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("Subject: [QC]\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n<a href=tel:"))
	f.Add([]byte("Subject: =?windows-1258?Q?=DE=DE?=\r\n\r\nHủy đăng ký +84 (0) 901 234 567 www. http:// @ @x."))
	a, err := NewAnalyzer(DefaultConfig())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		h, body, err := txn.ReadMessage(bytes.NewReader(raw), 0, "")
		if err != nil {
			t.Skip()
		}
		tr := &txn.Transaction{Headers: h, Body: body, Rcpts: []string{"khach@example.net"}}
		checkInvariants(t, a.Analyze(tr, nil, fromDomain(tr)))
	})
}

// FuzzLinks feeds arbitrary text to the link extraction: it must not
// panic, and every link has a non-empty lower-case host without white
// space.
func FuzzLinks(f *testing.F) {
	f.Add("Xem https://Shop.Example.com/a?x=1 và www.example.org, thư lienhe@example.net mailto:x@y.example")
	f.Add("(https://a.example.com/x), [www.example.org/offer]. http://[::1]:80/ x@y@z Email:info@example.net.")
	f.Fuzz(func(t *testing.T, text string) {
		for tok := range linkTokens(text) {
			l, ok := parseLink(tok)
			if !ok {
				continue
			}
			if l.Host == "" || l.Host != strings.ToLower(l.Host) || strings.ContainsAny(l.Host, " \t\r\n") {
				t.Errorf("token %q gave host %q", tok, l.Host)
			}
		}
	})
}
