package dnsbl_test

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"milter91/dnsbl"
	"milter91/internal/resolver"
)

var t0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// breakerSetup: zone "bad" answers 127.255.255.254 (query refused),
// zone "good" answers 127.0.0.2; both for client 127.0.0.2.
func breakerSetup(t *testing.T, pause time.Duration) (*dnsbl.Checker, *resolver.Fake, *fakeClock) {
	t.Helper()
	zones := compile(t, dnsbl.ZoneConfig{Name: "bad.example.test"}, dnsbl.ZoneConfig{Name: "good.example.test"})
	clock := &fakeClock{t: t0}
	c, err := dnsbl.NewChecker(zones, dnsbl.Options{PauseAfterBlocked: pause, Now: clock.Now})
	if err != nil {
		t.Fatalf("NewChecker: %v", err)
	}
	r := &resolver.Fake{A: map[string][]netip.Addr{
		"2.0.0.127.bad.example.test":  addrs("127.255.255.254"),
		"2.0.0.127.good.example.test": addrs("127.0.0.2"),
	}}
	return c, r, clock
}

// breakerStep advances the clock, runs Check, and expects the bad zone's
// fact and the number of lookups (the good zone always makes one).
type breakerStep struct {
	advance    time.Duration
	badResult  string
	badDetail  string
	wantLookup int
}

func TestCheckerPausesBlockedZone(t *testing.T) {
	test := func(name string, pause time.Duration, steps []breakerStep) {
		t.Helper()
		c, r, clock := breakerSetup(t, pause)
		for i, s := range steps {
			clock.Advance(s.advance)
			before := r.Queries()
			got := c.Check(context.Background(), r, client)
			if len(got) != 2 || got[1].Result != dnsbl.ResultListed {
				t.Fatalf("%s step %d: facts %+v", name, i, got)
			}
			bad := got[0]
			if bad.Result != s.badResult || !bad.Blocked || bad.Listed || !strings.Contains(bad.Detail, s.badDetail) {
				t.Errorf("%s step %d: bad zone %+v, want %q with Detail ~%q", name, i, bad, s.badResult, s.badDetail)
			}
			if n := r.Queries() - before; n != s.wantLookup {
				t.Errorf("%s step %d: %d lookups, want %d", name, i, n, s.wantLookup)
			}
		}
	}
	b := dnsbl.ResultBlocked
	test("default 300 s", 0, []breakerStep{
		{advance: 0, badResult: b, badDetail: "error answer 127.255.255.254", wantLookup: 2},
		{advance: time.Second, badResult: b, badDetail: "paused until 2026-05-01T12:05:00Z", wantLookup: 1},
		{advance: 298 * time.Second, badResult: b, badDetail: "paused until 2026-05-01T12:05:00Z", wantLookup: 1},
		// 300 s after the blocked answer: asked again, blocked again, paused again.
		{advance: time.Second, badResult: b, badDetail: "error answer", wantLookup: 2},
		{advance: time.Second, badResult: b, badDetail: "paused until 2026-05-01T12:10:00Z", wantLookup: 1},
	})
	test("configured 10 s", 10*time.Second, []breakerStep{
		{advance: 0, badResult: b, badDetail: "error answer", wantLookup: 2},
		{advance: 9 * time.Second, badResult: b, badDetail: "paused until 2026-05-01T12:00:10Z", wantLookup: 1},
		{advance: time.Second, badResult: b, badDetail: "error answer", wantLookup: 2},
	})
	test("negative never pauses", -1, []breakerStep{
		{advance: 0, badResult: b, badDetail: "error answer", wantLookup: 2},
		{advance: time.Second, badResult: b, badDetail: "error answer", wantLookup: 2},
	})
}

func TestCheckerResumesAfterPause(t *testing.T) {
	c, r, clock := breakerSetup(t, 0)
	c.Check(context.Background(), r, client)
	r.A["2.0.0.127.bad.example.test"] = addrs("127.0.0.3") // the zone works again
	clock.Advance(time.Minute)
	if got := c.Check(context.Background(), r, client); got[0].Result != dnsbl.ResultBlocked {
		t.Errorf("during pause: %+v", got[0])
	}
	clock.Advance(dnsbl.DefaultPause)
	got := c.Check(context.Background(), r, client)
	if got[0].Result != dnsbl.ResultListed || got[0].Blocked || got[0].Query != "2.0.0.127.bad.example.test" {
		t.Errorf("after pause: %+v, want listed", got[0])
	}
}

func TestCheckerTemperrorDoesNotPause(t *testing.T) {
	c, r, clock := breakerSetup(t, 0)
	r.Errors = map[string]error{"2.0.0.127.bad.example.test": resolver.Temporary("x", "SERVFAIL", false)}
	c.Check(context.Background(), r, client)
	clock.Advance(time.Second)
	before := r.Queries()
	c.Check(context.Background(), r, client)
	if n := r.Queries() - before; n != 2 {
		t.Errorf("%d lookups after a temperror, want 2 (no pause)", n)
	}
}

func TestNewCheckerErrors(t *testing.T) {
	zones := compile(t, dnsbl.ZoneConfig{Name: "bl.example.test"})
	if _, err := dnsbl.NewChecker(zones, dnsbl.Options{}); err == nil || !strings.Contains(err.Error(), "Now") {
		t.Errorf("nil Now: err %v", err)
	}
	if _, err := dnsbl.NewChecker([]*dnsbl.Zone{zones[0], nil}, dnsbl.Options{Now: time.Now}); err == nil {
		t.Error("nil zone: no error")
	}
}

// gate is a resolver whose lookups block until release is closed (or their
// context ends); it records the names asked and finished.
type gate struct {
	release chan struct{}
	mu      sync.Mutex
	started []string
	done    []string
}

func (g *gate) resolver() hookResolver {
	return newHook(func(ctx context.Context, name string) ([]netip.Addr, error) {
		g.mu.Lock()
		g.started = append(g.started, name)
		g.mu.Unlock()
		defer func() {
			g.mu.Lock()
			g.done = append(g.done, name)
			g.mu.Unlock()
		}()
		select {
		case <-g.release:
			return nil, resolver.NotFound(name)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	})
}

func (g *gate) counts() (started, done []string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Sorted(slices.Values(g.started)), slices.Sorted(slices.Values(g.done))
}

// TestPrefetchReturnsAtOnce runs in a synctest bubble: synctest.Wait
// returns once every Prefetch goroutine is blocked, so what has started
// and finished is known without sleeping.
func TestPrefetchReturnsAtOnce(t *testing.T) {
	zones := compile(t,
		dnsbl.ZoneConfig{Name: "a.example.test"},
		dnsbl.ZoneConfig{Name: "b.example.test", IPv6: true},
	)
	test := func(ip netip.Addr, want []string) {
		t.Helper()
		synctest.Test(t, func(t *testing.T) {
			g := &gate{release: make(chan struct{})}
			dnsbl.Prefetch(context.Background(), g.resolver(), zones, ip)
			synctest.Wait()
			started, done := g.counts()
			if !slices.Equal(started, want) || len(done) != 0 {
				t.Errorf("%v: before release: started %q done %q; want %q started, none done", ip, started, done, want)
			}
			close(g.release)
			synctest.Wait()
			if _, done := g.counts(); !slices.Equal(done, want) {
				t.Errorf("%v: after release: done %q, want %q", ip, done, want)
			}
		})
	}
	test(client, []string{"2.0.0.127.a.example.test.", "2.0.0.127.b.example.test."})
	test(netip.MustParseAddr("::1"), []string{
		"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.b.example.test."})
	test(netip.Addr{}, nil)
}

func TestCheckerPrefetchSkipsPausedZone(t *testing.T) {
	c, r, clock := breakerSetup(t, 0)
	c.Check(context.Background(), r, client) // pauses bad.example.test
	clock.Advance(time.Second)
	synctest.Test(t, func(t *testing.T) {
		g := &gate{release: make(chan struct{})}
		close(g.release)
		c.Prefetch(context.Background(), g.resolver(), client)
		synctest.Wait()
		if started, _ := g.counts(); !slices.Equal(started, []string{"2.0.0.127.good.example.test."}) {
			t.Errorf("prefetched %q, want only the good zone", started)
		}
	})
	clock.Advance(dnsbl.DefaultPause)
	synctest.Test(t, func(t *testing.T) {
		g := &gate{release: make(chan struct{})}
		close(g.release)
		c.Prefetch(context.Background(), g.resolver(), client)
		synctest.Wait()
		if started, _ := g.counts(); len(started) != 2 {
			t.Errorf("after the pause prefetched %q, want both zones", started)
		}
	})
}
