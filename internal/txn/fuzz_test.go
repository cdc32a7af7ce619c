package txn

import (
	"bufio"
	"bytes"
	"io"
	"slices"
	"testing"

	"milter91/internal/mailmsg"
)

// FuzzReadMessage checks that ReadMessage never panics, that its headers
// are mailmsg.ReadHeader's (whose own fuzz target checks that no header
// byte is lost or invented), and that the body is at most the input with
// every LF made CRLF (plus a CRLF ending a first body line that had none).
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
		want, _, err := mailmsg.ReadHeader(bufio.NewReader(bytes.NewReader(in)))
		if err != nil || !slices.Equal(headers, want) {
			t.Errorf("headers %q, want mailmsg.ReadHeader's %q (%v)", headers, want, err)
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
