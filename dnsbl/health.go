package dnsbl

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"milter91/internal/resolver"
)

// DefaultHealthInterval is how often RunHealth asks the test points: a
// resolver that starts rewriting NXDOMAIN is noticed within five minutes,
// at two queries per zone per interval.
const DefaultHealthInterval = 5 * time.Minute

// Test points every DNSxL publishes (RFC 5782 §5): the IPv4 address
// 127.0.0.2 and the name "test" are listed, 127.0.0.1 and "invalid" are
// not.
var (
	testListedIP    = netip.MustParseAddr("127.0.0.2")
	testNotListedIP = netip.MustParseAddr("127.0.0.1")
)

const (
	testListedName    = "test"
	testNotListedName = "invalid"
)

// Health is the outcome of one zone's health check.
type Health struct {
	Zone string
	// State is HealthOK, HealthFailed or HealthUnknown (a test point
	// lookup failed: timeout, SERVFAIL; the zone keeps its state).
	State string
	// Detail says what was wrong or unknown, "" when OK.
	Detail string
}

// Health states.
const (
	HealthOK      = "ok"
	HealthFailed  = "failed"
	HealthUnknown = "unknown"
)

// CheckHealth asks every zone's two test points (RFC 5782 §5) and returns
// one Health per zone, in zone order. A zone whose "not listed" point is
// listed (a resolver or zone that answers every name: NXDOMAIN rewriting,
// a wildcard) or whose "listed" point is not listed answers wrongly, so it
// is disabled until a later check passes; facts of a disabled zone are
// Result "blocked" with Detail "disabled: …". A test point that cannot be
// asked (timeout, SERVFAIL) leaves the zone's state as it was. Zones with
// SkipHealth set are not asked.
func (c *Checker) CheckHealth(ctx context.Context, r resolver.Resolver) []Health {
	ctx = resolver.WithFresh(ctx) // the zone's answer now, not a cached one
	out := make([]Health, len(c.zones))
	for i, z := range c.zones {
		out[i] = zoneHealth(ctx, r, z)
		if out[i].State != HealthUnknown {
			c.setHealth(i, out[i])
		}
	}
	return out
}

// RunHealth runs CheckHealth at once and then every interval
// (DefaultHealthInterval when ≤ 0) until ctx ends. Each round's lookups
// get at most one interval.
func (c *Checker) RunHealth(ctx context.Context, r resolver.Resolver, interval time.Duration) {
	if interval <= 0 {
		interval = DefaultHealthInterval
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		round, cancel := context.WithTimeout(ctx, interval)
		c.CheckHealth(round, r)
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// zoneHealth asks z's test points.
func zoneHealth(ctx context.Context, r resolver.Resolver, z *Zone) Health {
	h := Health{Zone: z.name, State: HealthOK}
	if z.skipHealth {
		return h
	}
	listed, notListed := testListedName+"."+z.name, testNotListedName+"."+z.name
	if !z.domain {
		listed, _ = QueryName(testListedIP, z.name)
		notListed, _ = QueryName(testNotListedIP, z.name)
	}
	for _, p := range []struct {
		query string
		want  bool // listed
	}{{query: notListed, want: false}, {query: listed, want: true}} {
		answers, err := r.LookupA(ctx, p.query+".")
		if err != nil && !resolver.IsNotFound(err) {
			return Health{Zone: z.name, State: HealthUnknown, Detail: fmt.Sprintf("test point %s: %v", p.query, err)}
		}
		f := classify(z, p.query, answers)
		if f.Blocked {
			// A refused query says nothing about the zone's answers: the
			// pause after error answers deals with it.
			return Health{Zone: z.name, State: HealthUnknown, Detail: fmt.Sprintf("test point %s: error answer %s", p.query, joinAddrs(f.Answers))}
		}
		if f.Listed != p.want {
			state := "not listed"
			if f.Listed {
				state = "answered " + joinAddrs(f.Answers)
			}
			return Health{Zone: z.name, State: HealthFailed,
				Detail: fmt.Sprintf("RFC 5782 §5 test point %s %s", p.query, state)}
		}
	}
	return h
}

// setHealth records h for zone index and reports a change as an Event.
func (c *Checker) setHealth(index int, h Health) {
	why := ""
	if h.State == HealthFailed {
		why = h.Detail
	}
	c.mu.Lock()
	was := c.disabled[index]
	c.disabled[index] = why
	c.mu.Unlock()
	if c.events == nil || (was == "") == (why == "") {
		return
	}
	e := Event{Zone: h.Zone, Kind: EventDisabled, Detail: why}
	if why == "" {
		e = Event{Zone: h.Zone, Kind: EventEnabled, Detail: "health check passed"}
	}
	c.events(e)
}

func joinAddrs(as []netip.Addr) string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	return strings.Join(out, ",")
}
