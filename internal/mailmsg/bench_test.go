package mailmsg

import (
	"bufio"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkReadHeader reads header blocks of n bytes: one folded field of
// 5-byte continuation lines (the worst case of a per-line copy), and many
// short fields. Linear time shows as the same MB/s at 1 and 10 MiB.
func BenchmarkReadHeader(b *testing.B) {
	for _, shape := range []struct{ name, first, line string }{
		{"folded", "X-Folded: a\r\n", " ab\r\n"},
		{"fields", "", "Authentication-Results: mx.example.net; spf=pass\r\n"},
	} {
		for _, size := range []int{1 << 20, 10 << 20} {
			block := shape.first + strings.Repeat(shape.line, size/len(shape.line)) + "\r\n"
			b.Run(fmt.Sprintf("%s/%dMiB", shape.name, size>>20), func(b *testing.B) {
				b.SetBytes(int64(len(block)))
				b.ReportAllocs()
				for b.Loop() {
					if _, _, err := ReadHeader(bufio.NewReader(strings.NewReader(block))); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkUnfold unfolds one value of n bytes of 5-byte lines.
func BenchmarkUnfold(b *testing.B) {
	for _, size := range []int{1 << 20, 10 << 20} {
		v := " a" + strings.Repeat("\r\n ab", size/5)
		b.Run(fmt.Sprintf("%dMiB", size>>20), func(b *testing.B) {
			b.SetBytes(int64(len(v)))
			for b.Loop() {
				Unfold(v)
			}
		})
	}
}
