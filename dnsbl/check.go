package dnsbl

import (
	"context"
	"fmt"
	"net/netip"
	"sync"

	"milter91/internal/resolver"
	"milter91/internal/txn"
)

// job is one lookup: zone zones[index] asked for query, about target,
// which came from sources.
type job struct {
	index   int
	zone    *Zone
	query   string
	target  string
	sources []string
}

// plan lists the client-address lookups for ip in zones' order: none for
// an invalid ip, only IP zones with SourceClient, and IPv6 clients only in
// zones with IPv6 set.
func plan(zones []*Zone, ip netip.Addr) []job {
	p := planner{zones: zones, limit: -1}
	p.addIP(ip, SourceClient)
	return p.jobs
}

// Check asks every IP zone with SourceClient about ip in parallel and returns one fact per zone
// asked, in zones' order. Each lookup runs under ctx, shortened by the
// zone's Timeout when it has one; a lookup that runs out of time is a
// temperror fact. So, with a resolver that honours ctx, Check returns by
// ctx's deadline (sooner when every zone has a Timeout) even when a zone
// never answers.
//
// Zones without IPv6 are skipped for IPv6 clients (no fact). An invalid
// (zero) ip gives an empty result. Check has no memory: use Checker to
// pause zones that answer "blocked".
func Check(ctx context.Context, r resolver.Resolver, zones []*Zone, ip netip.Addr) []txn.DNSBL {
	return lookupAll(ctx, r, plan(zones, ip))
}

// Prefetch starts the lookups Check(ctx, r, zones, ip) would send and
// returns at once, discarding their results. It only saves time when r
// caches answers and merges identical in-flight queries (the production
// resolver does both; resolver.Fake does neither), so that a Check issued
// later, e.g. at end of message, is answered from the cache. Prefetch's
// lookups give up when ctx ends (or at the zone's Timeout); pass a context
// that lives until the later Check, e.g. the SMTP connection's. Its
// goroutines recover panics and end with their lookups.
func Prefetch(ctx context.Context, r resolver.Resolver, zones []*Zone, ip netip.Addr) {
	prefetch(ctx, r, plan(zones, ip))
}

func prefetch(ctx context.Context, r resolver.Resolver, jobs []job) {
	for _, j := range jobs {
		go lookupZone(ctx, r, j)
	}
}

// lookupAll runs jobs in parallel; result i belongs to jobs[i].
func lookupAll(ctx context.Context, r resolver.Resolver, jobs []job) []txn.DNSBL {
	out := make([]txn.DNSBL, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Go(func() { out[i] = lookupZone(ctx, r, j) })
	}
	wg.Wait()
	return out
}

// lookupZone asks one zone. A panic in the resolver becomes a temperror
// fact: one broken lookup must not take the daemon down.
func lookupZone(ctx context.Context, r resolver.Resolver, j job) (f txn.DNSBL) {
	defer func() {
		if p := recover(); p != nil {
			f = txn.DNSBL{Zone: j.zone.name, Query: j.query, Secret: j.zone.secret,
				Result: txn.ResultTemperror, Detail: fmt.Sprintf("internal error: panic: %v", p)}
		}
	}()
	defer func() { f.Target, f.Sources = j.target, j.sources }()
	if j.zone.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, j.zone.timeout)
		defer cancel()
	}
	// Absolute name: no search-list expansion, whatever the resolver does.
	answers, err := r.LookupA(ctx, j.query+".")
	if err != nil {
		return lookupFailed(j.zone, j.query, err)
	}
	return classify(j.zone, j.query, answers)
}
