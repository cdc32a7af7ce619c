package txn

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// MessageReader gives the same bytes through Read and through WriteTo
// (io.Copy), with and without a body.
func TestMessageReaderReadAndWriteTo(t *testing.T) {
	for _, body := range []string{"", "Hello\r\nworld\r\n"} {
		tr := &Transaction{Headers: []Header{{Name: "Subject", Value: " hi"}}}
		if body != "" {
			sp := NewSpool(1<<20, "")
			if _, err := sp.Write([]byte(body)); err != nil {
				t.Fatal(err)
			}
			tr.Body = sp
		}
		want := "Subject: hi\r\n\r\n" + body
		var viaCopy strings.Builder
		if _, err := io.Copy(&viaCopy, tr.MessageReader()); err != nil || viaCopy.String() != want {
			t.Errorf("io.Copy: %q %v, want %q", viaCopy.String(), err, want)
		}
		viaRead, err := io.ReadAll(iotest.OneByteReader(tr.MessageReader()))
		if err != nil || string(viaRead) != want {
			t.Errorf("Read: %q %v, want %q", viaRead, err, want)
		}
	}
}
