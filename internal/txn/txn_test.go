package txn

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// MessageReader gives the same bytes through Read and through io.Copy,
// with and without a body.
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

// A spool's memory goes back to a pool on Close; the next spool starts
// empty and over the threshold moves to a file with exactly its bytes.
func TestSpoolReusesMemory(t *testing.T) {
	for round := range 3 {
		s := NewSpool(64, t.TempDir())
		want := strings.Repeat(string(rune('a'+round)), 40)
		if _, err := s.Write([]byte(want)); err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(s.Reader())
		if string(got) != want || s.OnDisk() {
			t.Fatalf("round %d: %q on disk %v, want %q in memory", round, got, s.OnDisk(), want)
		}
		if _, err := s.Write([]byte(want)); err != nil {
			t.Fatal(err)
		}
		got, _ = io.ReadAll(s.Reader())
		if string(got) != want+want || !s.OnDisk() {
			t.Fatalf("round %d: %q on disk %v, want both writes on disk", round, got, s.OnDisk())
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
