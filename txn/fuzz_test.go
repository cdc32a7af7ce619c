package txn

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// crlfLines ends every line of in with CRLF, as ReadMessage does: a line's
// trailing CRs are dropped, and a last line without LF gets a CRLF too (so
// that a header on the last line compares like the others).
func crlfLines(in string) string {
	lines := strings.Split(in, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(strings.TrimRight(l, "\r"))
		b.WriteString("\r\n")
	}
	return b.String()
}

// FuzzReadMessage checks that ReadMessage never panics and loses or
// invents no header byte: the headers rebuilt as Name ":" Value CRLF, in
// order, are the start of the input with its line ends made CRLF; the body
// is at most the input with every LF made CRLF (plus a CRLF ending a first
// body line that had none).
func FuzzReadMessage(f *testing.F) {
	for _, seed := range []string{
		"From: a@example.com\nSubject: one\n two\n\nline1\nline2\n",
		"X:y\r\n\r\nbody",
		"A: 1\nthis is not a header\nmore\n",
		"Subject: Khuy\xe1\xba\xbfn m\xc3\xa3i\n\n",
		" leading continuation\nA: b\n",
		"A: b\r\r\n\tfold\r\n\r\n",
		"A: no newline at all",
		":empty name\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, in []byte) {
		// A 64-byte threshold sends most bodies through the file spool.
		headers, body, err := ReadMessage(bytes.NewReader(in), 64, dir)
		if err != nil {
			t.Fatalf("ReadMessage: %v", err)
		}
		defer body.Close()
		var rebuilt strings.Builder
		for _, h := range headers {
			if h.Name == "" || strings.ContainsAny(h.Name, ": \t\n") {
				t.Errorf("header name %q", h.Name)
			}
			rebuilt.WriteString(h.Name + ":" + h.Value + "\r\n")
		}
		if norm := crlfLines(string(in)); !strings.HasPrefix(norm, rebuilt.String()) {
			t.Errorf("rebuilt headers %q are not the start of the input %q", rebuilt.String(), norm)
		}
		got, err := io.ReadAll(body.Reader())
		if err != nil || int64(len(got)) != body.Size() {
			t.Errorf("body read %d bytes (%v), Size %d", len(got), err, body.Size())
		}
		if len(got) > 2*len(in)+2 {
			t.Errorf("body %d bytes from %d input bytes", len(got), len(in))
		}
	})
}
