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
