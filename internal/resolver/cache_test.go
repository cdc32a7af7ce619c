package resolver

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

func TestCacheEntry(t *testing.T) {
	t0 := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	key := cacheKey{name: "example.test", qtype: 16}
	tests := []struct {
		name string
		at   time.Duration // read time after t0
		ok   bool
	}{
		{name: "before expiry", at: 9*time.Second + 999*time.Millisecond, ok: true},
		{name: "at expiry", at: 10 * time.Second, ok: false},
		{name: "after expiry", at: time.Minute, ok: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCache(2, 1<<20)
			c.put(key, result{notFound: true}, t0.Add(10*time.Second))
			r, ok := c.get(key, t0.Add(tc.at))
			if ok != tc.ok || (ok && !r.notFound) {
				t.Errorf("get = %+v, %v; want ok %v", r, ok, tc.ok)
			}
			if !tc.ok && c.len() != 0 {
				t.Errorf("expired entry kept: %d entries", c.len())
			}
		})
	}
}

func TestCachePutReplaces(t *testing.T) {
	t0 := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	c := newCache(2, 1<<20)
	key := cacheKey{name: "example.test", qtype: 1}
	c.put(key, result{notFound: true}, t0.Add(time.Second))
	c.put(key, result{reason: "second"}, t0.Add(time.Hour))
	r, ok := c.get(key, t0.Add(time.Minute))
	if !ok || r.reason != "second" || c.len() != 1 {
		t.Errorf("get = %+v, %v, %d entries; want the replacement, 1 entry", r, ok, c.len())
	}
	if _, ok := c.get(cacheKey{name: "example.test", qtype: 28}, t0); ok {
		t.Error("other qtype hit")
	}
}

// txtResult is a positive TXT result holding one string of n bytes.
func txtResult(n int) result {
	return result{ans: &answer{strs: []string{strings.Repeat("x", n)}}}
}

func TestEntrySize(t *testing.T) {
	key := cacheKey{name: "example.test", qtype: 16}
	small, big := entrySize(key, txtResult(10)), entrySize(key, txtResult(60000))
	if big-small != 60000-10 {
		t.Errorf("60000-byte TXT entry is %d bytes more than a 10-byte one, want 59990", big-small)
	}
	if small < int64(len(key.name))+10+100 || small > 1024 {
		t.Errorf("10-byte TXT entry counted %d bytes, want its bytes plus the fixed costs (100..1024)", small)
	}
	mx := result{ans: &answer{mx: []net.MX{{Host: strings.Repeat("m", 200) + ".", Pref: 10}}}}
	if got := entrySize(key, mx) - entrySize(key, result{ans: &answer{}}); got < 201 {
		t.Errorf("MX entry counted %d bytes over an empty answer, want at least the host's 201", got)
	}
	if got := entrySize(key, result{reason: strings.Repeat("r", 300)}) - entrySize(key, result{}); got != 300 {
		t.Errorf("reason counted %d bytes, want 300", got)
	}
}

func TestCacheByteBound(t *testing.T) {
	t0 := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	const bound = 1 << 20
	c := newCache(1000, bound)
	key := func(i int) cacheKey { return cacheKey{name: fmt.Sprintf("n%03d.example.test", i), qtype: 16} }
	per := entrySize(key(0), txtResult(60000))
	for i := range 100 {
		c.put(key(i), txtResult(60000), t0.Add(time.Hour))
		if c.size() > bound {
			t.Fatalf("after %d puts the cache holds %d bytes, over its bound %d", i+1, c.size(), bound)
		}
	}
	fit := int(bound / per)
	if c.len() != fit || c.size() != int64(fit)*per {
		t.Errorf("cache holds %d entries, %d bytes; want the %d that fit, %d bytes", c.len(), c.size(), fit, int64(fit)*per)
	}
	for i, want := range map[int]bool{99: true, 100 - fit: true, 99 - fit: false, 0: false} {
		if _, ok := c.get(key(i), t0); ok != want {
			t.Errorf("entry %d cached %v, want %v (least recently used evicted first)", i, ok, want)
		}
	}
	c.get(key(100-fit), t0) // now the most recently used: the next put evicts 101-fit
	c.put(key(100), txtResult(60000), t0.Add(time.Hour))
	if _, ok := c.get(key(100-fit), t0); !ok {
		t.Error("an entry just read was evicted")
	}
	if _, ok := c.get(key(101-fit), t0); ok {
		t.Error("the least recently used entry survived a put over the bound")
	}
}

func TestCacheSkipsHugeEntry(t *testing.T) {
	t0 := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	c := newCache(10, 16<<10) // at most 1 KiB per entry
	key := cacheKey{name: "example.test", qtype: 16}
	c.put(key, txtResult(100), t0.Add(time.Hour))
	c.put(key, txtResult(2000), t0.Add(time.Hour))
	if _, ok := c.get(key, t0); ok || c.len() != 0 || c.size() != 0 {
		t.Errorf("an answer over 1/16 of the bound: cached %v, %d entries, %d bytes; want it and the older one gone", ok, c.len(), c.size())
	}
}

// Lookups of large TXT answers through the client keep the cache under its
// byte bound, and the entries that fit answer without a query.
func TestClientCacheBytes(t *testing.T) {
	addr := bigTXTServer(t, 250)
	for _, tc := range []struct {
		name   string
		bound  int64
		cached bool
	}{
		{name: "2 MiB bound keeps the latest", bound: 2 << 20, cached: true},
		{name: "512 KiB bound: over 1/16, not cached", bound: 512 << 10, cached: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := client(t, Config{Servers: []string{addr}, CacheBytes: tc.bound})
			ctx := context.Background()
			for i := range 60 {
				if _, err := c.LookupTXT(ctx, fmt.Sprintf("n%d.example.test", i)); err != nil {
					t.Fatal(err)
				}
				if c.cache.size() > tc.bound {
					t.Fatalf("after %d lookups the cache holds %d bytes, over %d", i+1, c.cache.size(), tc.bound)
				}
			}
			before, _ := c.Stats()
			if _, err := c.LookupTXT(ctx, "n59.example.test"); err != nil {
				t.Fatal(err)
			}
			after, _ := c.Stats()
			if hit := after == before; hit != tc.cached {
				t.Errorf("latest name answered from the cache: %v, want %v (%d entries, %d bytes)", hit, tc.cached, c.cache.len(), c.cache.size())
			}
		})
	}
}
