package arf

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: Parse never panics, and what it returns stays within its
// bounds.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.eml")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		if r.FeedbackType == "" {
			t.Fatal("a report without Feedback-Type")
		}
		if len(r.Original) > MaxOriginal || len(r.Header) > MaxFields || len(r.OriginalRcptTo) > MaxFields {
			t.Fatalf("bounds: original %d header %d rcpts %d", len(r.Original), len(r.Header), len(r.OriginalRcptTo))
		}
		if len(r.Original) > len(data) {
			t.Fatalf("original %d bytes from %d of input", len(r.Original), len(data))
		}
		_ = r.View()
	})
}

// BenchmarkParse parses RFC 5965's full report (B.2).
func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile("testdata/rfc5965-b2.eml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseLarge parses a report whose reported message is 4 MiB:
// the time is linear in the input and the memory bounded by MaxOriginal.
func BenchmarkParseLarge(b *testing.B) {
	var sb bytes.Buffer
	sb.WriteString("Content-Type: multipart/report; report-type=feedback-report; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\n" +
		"--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: big\r\n\r\n")
	line := bytes.Repeat([]byte("x"), 998)
	for sb.Len() < MaxInput {
		sb.Write(line)
		sb.WriteString("\r\n")
	}
	data := sb.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
