package resolver

import (
	"context"
	"testing"
)

// BenchmarkCacheHit measures lookups answered from the cache.
func BenchmarkCacheHit(b *testing.B) {
	s, _ := serve(b, lookupZone...)
	c := client(b, Config{}, s)
	ctx := context.Background()
	benches := []struct {
		name   string
		kind   string
		lookup func() error
	}{
		{name: "TXT", kind: "ok", lookup: func() error { _, err := c.LookupTXT(ctx, "example.test"); return err }},
		{name: "A", kind: "ok", lookup: func() error { _, err := c.LookupA(ctx, "example.test"); return err }},
		{name: "NXDOMAIN", kind: "notfound", lookup: func() error { _, err := c.LookupA(ctx, "missing.example.test"); return err }},
	}
	for _, bc := range benches {
		b.Run(bc.name, func(b *testing.B) {
			if err := bc.lookup(); kind(err) != bc.kind {
				b.Fatalf("warm-up: %v, want %s", err, bc.kind)
			}
			before, _ := c.Stats()
			b.ReportAllocs()
			for b.Loop() {
				_ = bc.lookup()
			}
			if after, _ := c.Stats(); after != before {
				b.Fatalf("%d network queries during the benchmark, want 0", after-before)
			}
		})
	}
}
