package report

import (
	"io"
	"testing"
)

// BenchmarkBuildWriteHTML is the monthly-to-half-yearly job: 180 days of a
// mid-sized provider's counts (realistic: ~271,000 Count rows) to a page.
func BenchmarkBuildWriteHTML(b *testing.B) {
	counts := realistic(180)
	b.ReportAllocs()
	for b.Loop() {
		r := Build(counts, date(1), date(181), 0)
		if err := WriteHTML(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(counts)), "counts")
}

// BenchmarkBuild is Build alone on the same counts.
func BenchmarkBuild(b *testing.B) {
	counts := realistic(180)
	b.ReportAllocs()
	for b.Loop() {
		Build(counts, date(1), date(181), 0)
	}
}

// BenchmarkWriteHTML is WriteHTML alone on the built 180-day report.
func BenchmarkWriteHTML(b *testing.B) {
	r := Build(realistic(180), date(1), date(181), 0)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteHTML(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}
