package resolver

import (
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
			c := newCache(2)
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
	c := newCache(2)
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
