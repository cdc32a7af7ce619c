package decree

import (
	"fmt"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReadEnds checks the head and tail kept of parts shorter than,
// between and far beyond the limits (the buffer compacts several times).
func TestReadEnds(t *testing.T) {
	var long strings.Builder
	for i := 0; long.Len() < 400<<10; i++ {
		fmt.Fprintf(&long, "%07d ", i)
	}
	src := long.String()
	cases := []struct {
		name       string
		in         string
		head, tail int
	}{
		{name: "short", in: "Hủy đăng ký", head: 100, tail: 100},
		{name: "head only", in: src, head: 1000},
		{name: "tail only", in: src, tail: 1000},
		{name: "both, far beyond", in: src, head: 5000, tail: 70000},
		{name: "between", in: src[:3000], head: 1000, tail: 5000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			head, tail := readEnds(iotest.HalfReader(strings.NewReader(tc.in)), tc.head, tc.tail, false)
			if want := tc.in[:min(tc.head, len(tc.in))]; head != want {
				t.Errorf("head %d bytes %q…, want %d bytes %q…", len(head), cut(head), len(want), cut(want))
			}
			if want := tc.in[max(len(tc.in)-tc.tail, 0):]; tc.tail > 0 && tail != want || tc.tail == 0 && tail != "" {
				t.Errorf("tail %d bytes %q…, want %d bytes %q…", len(tail), cut(tail), len(want), cut(want))
			}
		})
	}
	head, tail := readEnds(strings.NewReader("<p>Hủy</p><p>đăng ký</p>"), 100, 100, true)
	if head != "Hủy\nđăng ký" || tail != head {
		t.Errorf("HTML: head %q tail %q", head, tail)
	}
}

func cut(s string) string { return s[:min(len(s), 16)] }
