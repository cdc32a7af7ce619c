package bench

import "testing"

// BenchmarkPipeline measures engine.Evaluate for one message: SPF, DKIM
// (one RSA-2048 signature over the whole body), the blocklist and DMARC
// checks, the shipped rules and the header edits. DNS comes from the
// resolver's cache, warmed before the timer starts; a network query during
// the loop fails the benchmark. cpu-ns/op is the process's CPU time per
// message (all goroutines, GC included), the unit of the ≤ 0.5 ms target.
func BenchmarkPipeline(b *testing.B) {
	for _, size := range []int{10 * kib, mib} {
		b.Run(sizeName(size), func(b *testing.B) {
			p := newPipeline(b, 0)
			t := transaction(b, message(b, size))
			out, err := p.evaluate(t)
			wantAccepted(b, out, err)
			if out.Facts.DNSQueries == 0 {
				b.Fatal("the warm-up sent no DNS query: the cache was not exercised")
			}
			before := p.dns.Queries()
			b.SetBytes(int64(size))
			b.ReportAllocs()
			cpu := cpuTime(b)
			for b.Loop() {
				if _, err := p.evaluate(t); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime(b)-cpu)/float64(b.N), "cpu-ns/op")
			if n := p.dns.Queries() - before; n != 0 {
				b.Fatalf("%d DNS queries reached the server during the loop, want 0 (cache)", n)
			}
		})
	}
}

// BenchmarkPipelineNoCache is BenchmarkPipeline at 10 KiB with the
// resolver's cache off: every message asks the loopback DNS server again.
// It bounds the CPU cost of cache misses; real servers add latency.
func BenchmarkPipelineNoCache(b *testing.B) {
	p := newPipeline(b, -1)
	t := transaction(b, message(b, 10*kib))
	out, err := p.evaluate(t)
	wantAccepted(b, out, err)
	before := p.dns.Queries()
	b.ReportAllocs()
	cpu := cpuTime(b)
	for b.Loop() {
		if _, err := p.evaluate(t); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime(b)-cpu)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(p.dns.Queries()-before)/float64(b.N), "dns-queries/op")
}
