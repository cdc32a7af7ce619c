package e2e

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
)

// bigBody returns about size bytes of 78-byte CRLF lines, every 100th line
// starting with "." so that dot-stuffing is exercised too.
func bigBody(size int) string {
	var b strings.Builder
	b.Grow(size + 80)
	for i := 0; b.Len() < size; i++ {
		lead := "L"
		if i%100 == 0 {
			lead = "."
		}
		fmt.Fprintf(&b, "%s%09d the quick brown fox jumps over the lazy dog 0123456789abcdef\r\n", lead, i)
	}
	return b.String()
}

func TestBytesPassUnchanged(t *testing.T) {
	e := needEnv(t)
	tests := []struct {
		name   string
		from   string // RFC 5322.From value
		params string // MAIL FROM parameters
		subj   string
		extra  []string
		body   string
	}{
		{
			name:   "20 MiB body",
			from:   "<alice@" + goodDomain + ">",
			params: "SIZE=21000000",
			subj:   "large",
			body:   bigBody(20 << 20),
		},
		{
			name:   "raw UTF-8 headers and body",
			from:   "Nguyễn Văn An <alice@" + goodDomain + ">",
			params: "BODY=8BITMIME SMTPUTF8",
			subj:   "Thư quảng cáo — kiểm tra 8-bit ✓",
			extra:  []string{"X-Note: ünïcödé\r\n\tfolded 続き"},
			body:   "Xin chào, đây là thư thử nghiệm.\r\nÜnïcödé bödy ✓\r\n",
		},
	}
	s := openSession(t, e.smtpAddr(slotMain), "client.example.test", "")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := newToken(t)
			data := mail{Token: tok, From: tc.from, Subject: tc.subj, Extra: tc.extra, Body: tc.body}.build()
			sentHeader := data[:len(data)-len(tc.body)-len("\r\n")]
			r := mustSend(t, s, outMessage{From: "alice@" + goodDomain, MailParams: tc.params, To: []string{recipient}, Data: data})
			if r.Code != 250 {
				t.Fatalf("reply %v, want 250", r)
			}
			m := delivered(t, e, tok)
			if got, want := sha256.Sum256(m.body()), sha256.Sum256([]byte(tc.body)); got != want {
				t.Errorf("body changed: %d bytes at the sink, %d sent", len(m.body()), len(tc.body))
			}
			if !bytes.Contains(m.header(), sentHeader) {
				t.Errorf("sent header fields are not byte-identical at the sink:\nsent:\n%s\ngot:\n%s", sentHeader, m.header())
			}
			if ars, _ := ourAR(t, m); len(ars) != 1 {
				t.Errorf("%d ARs of ours, want 1 (the milter saw the message)", len(ars))
			}
		})
	}
}
