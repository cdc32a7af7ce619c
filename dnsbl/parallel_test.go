package dnsbl_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"milter91/dnsbl"
	"milter91/internal/resolver"
	"milter91/internal/txn"
)

// TestCheckQueriesInParallel: every lookup waits until all of them have
// started. Sequential lookups would never get there and end as temperror
// when the context expires; parallel ones all answer.
func TestCheckQueriesInParallel(t *testing.T) {
	zones := compile(t,
		dnsbl.ZoneConfig{Name: "a.example.test"},
		dnsbl.ZoneConfig{Name: "b.example.test"},
		dnsbl.ZoneConfig{Name: "c.example.test"},
	)
	var mu sync.Mutex
	started := 0
	all := make(chan struct{})
	r := newHook(func(ctx context.Context, name string) ([]netip.Addr, error) {
		mu.Lock()
		if started++; started == len(zones) {
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
			return addrs("127.0.0.2"), nil
		case <-ctx.Done():
			return nil, resolver.Temporary(name, ctx.Err().Error(), true)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got := dnsbl.Check(ctx, r, zones, client)
	want := []string{"a.example.test", "b.example.test", "c.example.test"}
	if len(got) != len(want) {
		t.Fatalf("got %d facts, want %d", len(got), len(want))
	}
	for i, f := range got {
		if f.Zone != want[i] || f.Result != dnsbl.ResultListed {
			t.Errorf("fact %d: zone %q result %q detail %q; want %q listed", i, f.Zone, f.Result, f.Detail, want[i])
		}
	}
}

// TestCheckSlowZoneBounded: a zone that never answers ends at its own
// Timeout as temperror while the others answer; the caller's (long)
// deadline is not waited for.
func TestCheckSlowZoneBounded(t *testing.T) {
	zones := compile(t,
		dnsbl.ZoneConfig{Name: "fast1.example.test"},
		dnsbl.ZoneConfig{Name: "slow.example.test", Timeout: time.Millisecond},
		dnsbl.ZoneConfig{Name: "fast2.example.test"},
	)
	parent, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	var slowErr error
	r := newHook(func(ctx context.Context, name string) ([]netip.Addr, error) {
		if !strings.Contains(name, ".slow.") {
			return addrs("127.0.0.2"), nil
		}
		<-ctx.Done()
		slowErr = ctx.Err()
		return nil, resolver.Temporary(name, ctx.Err().Error(), true)
	})
	got := dnsbl.Check(parent, r, zones, client)
	if !errors.Is(slowErr, context.DeadlineExceeded) || parent.Err() != nil {
		t.Errorf("slow lookup ended with %v, parent with %v; want the zone's own deadline", slowErr, parent.Err())
	}
	wantResults := []string{dnsbl.ResultListed, txn.ResultTemperror, dnsbl.ResultListed}
	for i, f := range got {
		if f.Result != wantResults[i] {
			t.Errorf("%s: Result %q, want %q", f.Zone, f.Result, wantResults[i])
		}
	}
	if !strings.Contains(got[1].Detail, "deadline exceeded") {
		t.Errorf("slow Detail %q does not name the deadline", got[1].Detail)
	}
}

// TestCheckLookupDeadlines: the lookup deadline is the earlier of the
// caller's deadline and the zone's Timeout.
func TestCheckLookupDeadlines(t *testing.T) {
	zones := compile(t,
		dnsbl.ZoneConfig{Name: "none.example.test"},
		dnsbl.ZoneConfig{Name: "short.example.test", Timeout: time.Minute},
		dnsbl.ZoneConfig{Name: "long.example.test", Timeout: 2 * time.Hour},
	)
	test := func(name string, parent context.Context, check func(zone string, dl time.Time, ok bool) string) {
		t.Helper()
		var mu sync.Mutex
		seen := map[string]bool{}
		r := newHook(func(ctx context.Context, q string) ([]netip.Addr, error) {
			dl, ok := ctx.Deadline()
			zone := strings.SplitN(strings.TrimPrefix(q, "2.0.0.127."), ".", 2)[0]
			mu.Lock()
			defer mu.Unlock()
			seen[zone] = true
			if msg := check(zone, dl, ok); msg != "" {
				t.Errorf("%s: zone %s: %s", name, zone, msg)
			}
			return nil, resolver.NotFound(q)
		})
		dnsbl.Check(parent, r, zones, client)
		if len(seen) != 3 {
			t.Errorf("%s: lookups in %v, want 3 zones", name, seen)
		}
	}
	parent, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	parentDL, _ := parent.Deadline()
	test("caller deadline 1h", parent, func(zone string, dl time.Time, ok bool) string {
		switch {
		case !ok:
			return "no deadline"
		case zone == "short" && !dl.Before(parentDL):
			return "zone Timeout 1m not applied"
		case zone != "short" && !dl.Equal(parentDL):
			return "caller deadline not kept"
		}
		return ""
	})
	test("no caller deadline", context.Background(), func(zone string, _ time.Time, ok bool) string {
		if ok != (zone != "none") {
			return "deadline present without a zone Timeout, or missing with one"
		}
		return ""
	})
}
