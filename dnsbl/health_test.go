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
)

// rewriting answers every A query with an address, as a resolver that
// rewrites NXDOMAIN to an ad server does (here inside 127/8).
func rewriting(answer string) hookResolver {
	return newHook(func(_ context.Context, _ string) ([]netip.Addr, error) {
		return addrs(answer), nil
	})
}

func TestCheckHealth(t *testing.T) {
	zones := compile(t,
		dnsbl.ZoneConfig{Name: "bl.example.test"},
		dnsbl.ZoneConfig{Name: "dbl.example.test", Type: dnsbl.TypeDomain},
		dnsbl.ZoneConfig{Name: "private.example.test", SkipHealth: true},
	)
	healthy := &resolver.Fake{A: map[string][]netip.Addr{
		"2.0.0.127.bl.example.test": addrs("127.0.0.2"),
		"test.dbl.example.test":     addrs("127.0.1.2"),
	}}
	timeouts := newHook(func(_ context.Context, name string) ([]netip.Addr, error) {
		return nil, resolver.Temporary(name, "timeout", true)
	})
	cases := []struct {
		name string
		r    resolver.Resolver
		want []string // State per zone
	}{
		{name: "test points right", r: healthy, want: []string{dnsbl.HealthOK, dnsbl.HealthOK, dnsbl.HealthOK}},
		{name: "NXDOMAIN rewritten", r: rewriting("127.0.0.2"), want: []string{dnsbl.HealthFailed, dnsbl.HealthFailed, dnsbl.HealthOK}},
		{name: "listed test point missing", r: &resolver.Fake{}, want: []string{dnsbl.HealthFailed, dnsbl.HealthFailed, dnsbl.HealthOK}},
		{name: "timeouts", r: timeouts, want: []string{dnsbl.HealthUnknown, dnsbl.HealthUnknown, dnsbl.HealthOK}},
		// A refused query (open resolver) says nothing of the zone's answers.
		{name: "error answers", r: rewriting("127.255.255.254"), want: []string{dnsbl.HealthUnknown, dnsbl.HealthUnknown, dnsbl.HealthOK}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newChecker(t, zones)
			var got []string
			for _, h := range c.CheckHealth(context.Background(), tc.r) {
				got = append(got, h.State)
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("states %v, want %v", got, tc.want)
			}
		})
	}
}

// A zone behind a rewriting resolver is disabled (its facts say so, with
// no lookup), one event is emitted, and it comes back when healthy.
func TestHealthDisablesAndEnables(t *testing.T) {
	zones := compile(t, dnsbl.ZoneConfig{Name: "bl.example.test"})
	var mu sync.Mutex
	var events []string
	c, err := dnsbl.NewChecker(zones, dnsbl.Options{Now: time.Now, Events: func(e dnsbl.Event) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e.Kind+" "+e.Zone)
	}})
	if err != nil {
		t.Fatal(err)
	}
	bad := rewriting("127.0.0.2")
	c.CheckHealth(context.Background(), bad)
	c.CheckHealth(context.Background(), bad) // still failing: no second event
	asked := false
	probe := newHook(func(_ context.Context, _ string) ([]netip.Addr, error) {
		asked = true
		return nil, errors.New("must not be asked")
	})
	facts := c.Check(context.Background(), probe, netip.MustParseAddr("127.0.0.9"))
	if asked || len(facts) != 1 || facts[0].Result != dnsbl.ResultBlocked || !strings.HasPrefix(facts[0].Detail, "disabled: RFC 5782 §5 test point 1.0.0.127.bl.example.test answered 127.0.0.2") {
		t.Fatalf("asked %v, facts %+v", asked, facts)
	}
	good := &resolver.Fake{A: map[string][]netip.Addr{"2.0.0.127.bl.example.test": addrs("127.0.0.2")}}
	c.CheckHealth(context.Background(), good)
	if facts := c.Check(context.Background(), good, netip.MustParseAddr("127.0.0.9")); facts[0].Result != dnsbl.ResultNotListed {
		t.Errorf("after recovery: %+v", facts[0])
	}
	if got := strings.Join(events, "; "); got != "disabled bl.example.test; enabled bl.example.test" {
		t.Errorf("events %q", got)
	}
}

// A pause is one event, however many messages meet it.
func TestPauseEventOnce(t *testing.T) {
	zones := compile(t, dnsbl.ZoneConfig{Name: "bl.example.test"})
	clock := &fakeClock{t: time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)}
	var events []dnsbl.Event
	c, err := dnsbl.NewChecker(zones, dnsbl.Options{Now: clock.Now, Events: func(e dnsbl.Event) { events = append(events, e) }})
	if err != nil {
		t.Fatal(err)
	}
	r := rewriting("127.255.255.254")
	for range 3 {
		c.Check(context.Background(), r, netip.MustParseAddr("127.0.0.9"))
	}
	clock.Advance(dnsbl.DefaultPause + time.Second)
	c.Check(context.Background(), r, netip.MustParseAddr("127.0.0.9"))
	if len(events) != 2 || events[0].Kind != dnsbl.EventPaused || !events[0].Until.Equal(time.Date(2026, 11, 29, 10, 5, 0, 0, time.UTC)) ||
		!strings.Contains(events[0].Detail, "127.255.255.254") {
		t.Errorf("events %+v, want two pauses, the first until 10:05", events)
	}
}
