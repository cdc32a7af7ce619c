package dnsbl

import (
	"context"
	"errors"
	"net/netip"
	"sync"
	"time"

	"milter91/internal/resolver"
	"milter91/internal/txn"
)

// DefaultPause is how long a zone is left alone after it answered
// "blocked": SpamAssassin's dns_block_time default, 300 s.
const DefaultPause = 300 * time.Second

// Options configure a Checker.
type Options struct {
	// PauseAfterBlocked is how long a zone is not asked after an error
	// answer (daemon YAML dnsbl.pause_after_blocked). 0 means
	// DefaultPause; a negative value never pauses.
	PauseAfterBlocked time.Duration
	// Now returns the current time; required (cmd passes time.Now, tests
	// a fake clock).
	Now func() time.Time
	// Events, when set, is called once per zone state change (a pause
	// starting, a zone disabled or enabled again by its health check),
	// never once per message: the caller logs and counts it.
	Events func(Event)
}

// Event is one change of a zone's state.
type Event struct {
	Zone string
	// Kind is EventPaused, EventDisabled or EventEnabled.
	Kind string
	// Until is the end of a pause (EventPaused only).
	Until time.Time
	// Detail says why: the error answer, or the failed health check.
	Detail string
}

// Event kinds.
const (
	EventPaused   = "paused"   // an error answer paused the zone until Until
	EventDisabled = "disabled" // the zone failed its health check
	EventEnabled  = "enabled"  // a disabled zone passed its health check again
)

// Checker is Check with a per-zone circuit breaker: after a zone answers
// an error code (txn.DNSBL.Blocked), its lookups are paused for
// PauseAfterBlocked, and Check reports it as Result "blocked" with Detail
// "paused until <RFC 3339 time>" without asking. A zone that refuses one
// query (typically because we reach it through a public resolver) refuses
// them all; asking again only adds load and latency. A zone that fails its
// health check (CheckHealth) is disabled, reported the same way, until it
// passes again. Safe for concurrent use; it logs nothing itself (see
// Options.Events).
type Checker struct {
	zones  []*Zone
	pause  time.Duration
	now    func() time.Time
	events func(Event)

	mu       sync.Mutex
	paused   []time.Time // per zone index: no lookups before this time
	disabled []string    // per zone index: why its health check failed, "" when healthy
}

// NewChecker returns a Checker for zones (as returned by Compile). It
// fails when opts.Now is nil or a zone is nil.
func NewChecker(zones []*Zone, opts Options) (*Checker, error) {
	if opts.Now == nil {
		return nil, errors.New("dnsbl: Options.Now is required")
	}
	for _, z := range zones {
		if z == nil {
			return nil, errors.New("dnsbl: nil zone")
		}
	}
	pause := opts.PauseAfterBlocked
	if pause == 0 {
		pause = DefaultPause
	}
	return &Checker{
		zones:    zones,
		pause:    pause,
		now:      opts.Now,
		paused:   make([]time.Time, len(zones)),
		disabled: make([]string, len(zones)),
		events:   opts.Events,
	}, nil
}

// Check is the package-level Check over the Checker's zones, except that
// paused zones are reported as blocked without a lookup, and a zone that
// answers blocked is paused from the time its answer is classified.
func (c *Checker) Check(ctx context.Context, r resolver.Resolver, ip netip.Addr) []txn.DNSBL {
	return c.run(ctx, r, plan(c.zones, ip))
}

// CheckMessage is Check for everything a message offers the blocklists
// (see Subject): the client address in IP zones, then its domains and URL
// hosts in the zones that ask their sources, within lim. It returns the
// facts, in plan order, and the number of lookups skipped by lim.
func (c *Checker) CheckMessage(ctx context.Context, r resolver.Resolver, s Subject, lim Limits) ([]txn.DNSBL, int) {
	jobs, skipped := planMessage(c.zones, s, lim)
	return c.run(ctx, r, jobs), skipped
}

// run looks up the jobs of zones that are not paused and pauses the zones
// that answer blocked.
func (c *Checker) run(ctx context.Context, r resolver.Resolver, jobs []job) []txn.DNSBL {
	out, live, pos := c.split(jobs)
	for k, f := range lookupAll(ctx, r, live) {
		out[pos[k]] = f
		if f.Blocked {
			c.trip(live[k].index, f.Detail)
		}
	}
	return out
}

// Prefetch is the package-level Prefetch over the zones that are not
// paused; it returns at once.
func (c *Checker) Prefetch(ctx context.Context, r resolver.Resolver, ip netip.Addr) {
	_, live, _ := c.split(plan(c.zones, ip))
	prefetch(ctx, r, live)
}

// split returns one fact slot per job, filled for paused jobs, and the
// jobs still to run with their positions in out.
func (c *Checker) split(jobs []job) (out []txn.DNSBL, live []job, pos []int) {
	out = make([]txn.DNSBL, len(jobs))
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, j := range jobs {
		if why := c.disabled[j.index]; why != "" {
			out[i] = txn.DNSBL{Zone: j.zone.name, Query: j.query, Target: j.target, Sources: j.sources, Secret: j.zone.secret, Blocked: true,
				Result: ResultBlocked, Detail: "disabled: " + why}
			continue
		}
		until := c.paused[j.index]
		if now.Before(until) {
			out[i] = txn.DNSBL{Zone: j.zone.name, Query: j.query, Target: j.target, Sources: j.sources, Secret: j.zone.secret, Blocked: true,
				Result: ResultBlocked, Detail: "paused until " + until.UTC().Format(time.RFC3339) + " after an error answer"}
			continue
		}
		live = append(live, j)
		pos = append(pos, i)
	}
	return out, live, pos
}

// trip pauses zone index from now because of detail (the error answer);
// an existing later pause is kept, and only a new pause is an Event.
func (c *Checker) trip(index int, detail string) {
	if c.pause < 0 {
		return
	}
	now := c.now()
	until := now.Add(c.pause)
	c.mu.Lock()
	started := !now.Before(c.paused[index])
	if until.After(c.paused[index]) {
		c.paused[index] = until
	}
	c.mu.Unlock()
	if started && c.events != nil {
		c.events(Event{Zone: c.zones[index].name, Kind: EventPaused, Until: until, Detail: detail})
	}
}
