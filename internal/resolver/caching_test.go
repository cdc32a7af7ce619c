package resolver

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// step advances the clock, looks up, and expects a server query count.
type step struct {
	advance time.Duration
	queries int // server queries after this step's lookup
}

var lifetimeCases = []struct {
	name  string
	rrs   []string
	nx    bool // force NXDOMAIN without SOA on the name
	cfg   Config
	kind  string
	steps []step
}{
	{
		name: "positive: record TTL", rrs: []string{`c.example.test. 300 IN TXT "x"`}, kind: "ok",
		steps: []step{{0, 1}, {299 * time.Second, 1}, {time.Second, 2}, {299 * time.Second, 2}},
	},
	{
		name: "positive: smallest TTL of the CNAME chain",
		rrs:  []string{"c.example.test. 30 IN CNAME t.example.test.", `t.example.test. 300 IN TXT "x"`}, kind: "ok",
		steps: []step{{0, 1}, {29 * time.Second, 1}, {time.Second, 2}},
	},
	{
		name: "negative NXDOMAIN: SOA minimum",
		rrs:  []string{"example.test. 3600 IN SOA ns.example.test. h.example.test. 1 3600 600 86400 30"}, kind: "notfound",
		steps: []step{{0, 1}, {29 * time.Second, 1}, {time.Second, 2}},
	},
	{
		name: "negative NODATA: SOA TTL below its minimum",
		rrs: []string{
			"example.test. 20 IN SOA ns.example.test. h.example.test. 1 3600 600 86400 100",
			"c.example.test. 300 IN A 127.0.0.1",
		}, kind: "notfound",
		steps: []step{{0, 1}, {19 * time.Second, 1}, {time.Second, 2}},
	},
	{
		name: "negative without SOA: NegativeTTL", nx: true, cfg: Config{NegativeTTL: 45 * time.Second}, kind: "notfound",
		steps: []step{{0, 1}, {44 * time.Second, 1}, {time.Second, 2}},
	},
	{
		name: "MaxTTL caps", rrs: []string{`c.example.test. 300 IN TXT "x"`}, cfg: Config{MaxTTL: 10 * time.Second}, kind: "ok",
		steps: []step{{0, 1}, {9 * time.Second, 1}, {time.Second, 2}},
	},
	{
		name: "MinTTL raises", rrs: []string{`c.example.test. 5 IN TXT "x"`}, cfg: Config{MinTTL: time.Minute}, kind: "ok",
		steps: []step{{0, 1}, {59 * time.Second, 1}, {time.Second, 2}},
	},
	{
		name: "TTL 0 is not cached", rrs: []string{`c.example.test. 0 IN TXT "x"`}, kind: "ok",
		steps: []step{{0, 1}, {0, 2}},
	},
	{
		name: "negative CacheSize disables", rrs: []string{`c.example.test. 300 IN TXT "x"`}, cfg: Config{CacheSize: -1}, kind: "ok",
		steps: []step{{0, 1}, {0, 2}},
	},
}

func TestCacheLifetimes(t *testing.T) {
	for _, tc := range lifetimeCases {
		t.Run(tc.name, func(t *testing.T) {
			s, z := serve(t, tc.rrs...)
			if tc.nx {
				z.SetRcode("c.example.test", dns.TypeTXT, dns.RcodeNameError)
			}
			clk := newClock()
			tc.cfg.Now = clk.Now
			c := client(t, tc.cfg, s)
			for i, st := range tc.steps {
				clk.Advance(st.advance)
				_, err := c.LookupTXT(context.Background(), "c.example.test")
				if k := kind(err); k != tc.kind {
					t.Fatalf("step %d: error %v is %s, want %s", i, err, k, tc.kind)
				}
				if got := s.Queries(); got != st.queries {
					t.Fatalf("step %d: server queries = %d, want %d", i, got, st.queries)
				}
			}
		})
	}
}

func TestStatsAndCounter(t *testing.T) {
	s, _ := serve(t, lookupZone...)
	c := client(t, Config{}, s)
	first, second := new(Counter), new(Counter)
	ctx1, ctx2 := WithCounter(context.Background(), first), WithCounter(context.Background(), second)
	steps := []struct {
		ctx  context.Context
		name string
	}{
		{ctx: ctx1, name: "example.test"},
		{ctx: ctx1, name: "v4only.example.test"},
		{ctx: ctx2, name: "example.test"},         // cache hit
		{ctx: ctx2, name: "missing.example.test"}, // network, NXDOMAIN
		{ctx: ctx1, name: "missing.example.test"}, // negative cache hit
		{ctx: context.Background(), name: "v6only.example.test"},
	}
	for _, st := range steps {
		_, _ = c.LookupA(st.ctx, st.name)
	}
	if first.Load() != 2 || second.Load() != 1 {
		t.Errorf("counters = %d/%d, want 2/1", first.Load(), second.Load())
	}
	if q, hits := c.Stats(); q != 4 || hits != 2 {
		t.Errorf("Stats = %d queries, %d hits; want 4, 2", q, hits)
	}
}

func TestCacheBoundedLRU(t *testing.T) {
	var rrs []string
	for i := range 5 {
		rrs = append(rrs, fmt.Sprintf("n%d.example.test. 300 IN A 127.0.0.%d", i, i+1))
	}
	s, _ := serve(t, rrs...)
	c := client(t, Config{CacheSize: 3}, s)
	ctx := context.Background()
	lookup := func(i int) {
		if _, err := c.LookupA(ctx, fmt.Sprintf("n%d.example.test", i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		lookup(i)
	}
	if n := c.cache.len(); n != 3 {
		t.Errorf("cache entries = %d, want 3", n)
	}
	steps := []struct {
		name    int
		queries int
	}{
		{name: 4, queries: 5}, // kept
		{name: 2, queries: 5}, // kept; n3 is now least recently used
		{name: 0, queries: 6}, // evicted earlier; evicts n3
		{name: 3, queries: 7}, // evicted by the previous step
		{name: 2, queries: 7}, // still kept
	}
	for _, st := range steps {
		lookup(st.name)
		if got := s.Queries(); got != st.queries {
			t.Fatalf("after n%d: server queries = %d, want %d", st.name, got, st.queries)
		}
	}
}

// A WithFresh lookup asks the server although the cache holds the answer,
// and its answer replaces the cached one for later lookups.
func TestWithFreshBypassesCache(t *testing.T) {
	s, z := serve(t, `c.example.test. 300 IN TXT "old"`)
	c := client(t, Config{}, s)
	ctx := context.Background()
	if got, err := c.LookupTXT(ctx, "c.example.test"); err != nil || got[0] != "old" {
		t.Fatalf("first lookup: %v %v", got, err)
	}
	z.SetRcode("c.example.test", dns.TypeTXT, dns.RcodeNameError)
	if _, err := c.LookupTXT(WithFresh(ctx), "c.example.test"); kind(err) != "notfound" || s.Queries() != 2 {
		t.Fatalf("fresh lookup: %v after %d queries, want NXDOMAIN from the server", err, s.Queries())
	}
	if _, err := c.LookupTXT(ctx, "c.example.test"); kind(err) != "notfound" || s.Queries() != 2 {
		t.Errorf("later lookup: %v after %d queries, want the fresh NXDOMAIN from the cache", err, s.Queries())
	}
}
