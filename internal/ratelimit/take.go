package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"milter91/internal/counter"
)

// check is one sliding window of one limit applied to a message.
type check struct {
	limit   *Limit
	w       window
	key     string // the scope's normalized value
	cost    int64
	elapsed int64 // ms since the current bucket began
	// the counter keys of the current and the previous bucket, and how
	// long each must live: the current one serves as the previous one
	// through the next bucket.
	cur, prev       string
	curTTL, prevTTL time.Duration
}

// Take counts m against every limit that applies to it, in one Add on the
// store, and decides: allowed (m is counted) or refused (m's units are
// taken back out, and the Hit names the first limit exceeded). Errors:
// the store's, when the count failed (nothing was decided: apply the
// fail mode); when only the undo of a refused message failed, the
// Decision is still valid and its units stay counted (the error says so).
func (l *Limiter) Take(ctx context.Context, m Message) (Decision, error) {
	now := l.now()
	checks := l.plan(m, now.UnixMilli())
	if len(checks) == 0 {
		return Decision{Allowed: true}, nil
	}
	incs := make([]counter.Inc, 0, 2*len(checks))
	for _, c := range checks {
		incs = append(incs, counter.Inc{Key: c.cur, Delta: c.cost, TTL: c.curTTL}, counter.Inc{Key: c.prev, Delta: 0, TTL: c.prevTTL})
	}
	vals, err := l.store.Add(ctx, incs)
	if err != nil {
		return Decision{}, fmt.Errorf("ratelimit: %w", err)
	}
	undo := make([]counter.Inc, len(checks))
	for i, c := range checks {
		undo[i] = counter.Inc{Key: c.cur, Delta: -c.cost, TTL: c.curTTL}
	}
	hit := judge(checks, vals)
	if hit == nil {
		return Decision{Allowed: true, taken: undo}, nil
	}
	if _, err := l.store.Add(ctx, undo); err != nil {
		return Decision{Hit: hit}, fmt.Errorf("ratelimit: a refused message stays counted: %w", err)
	}
	return Decision{Hit: hit}, nil
}

// Return takes an allowed message's units back out, for a message counted
// by Take that did not leave after all (another rule refused it, the
// client went away): when it comes back it counts once. A Decision that
// counted nothing returns nothing. Errors: the store's (the units then
// stay counted).
func (l *Limiter) Return(ctx context.Context, d Decision) error {
	if !d.Allowed || len(d.taken) == 0 {
		return nil
	}
	if _, err := l.store.Add(ctx, d.taken); err != nil {
		return fmt.Errorf("ratelimit: a returned message stays counted: %w", err)
	}
	return nil
}

// judge returns the Hit of the first window that the counts in vals (the
// Add's, two per check) leave no room in, or of the first one the message
// alone exceeds, with the retry time of all the windows that have no
// room; nil when every window has room.
func judge(checks []check, vals []int64) *Hit {
	var hit *Hit
	var retry int64
	never := false
	for i, c := range checks {
		s := state{prev: vals[2*i+1], cur: vals[2*i] - c.cost, elapsed: c.elapsed}
		if c.w.fits(s, c.cost) {
			continue
		}
		ra, ok := c.w.retryAfter(s, c.cost)
		if hit == nil || (!ok && !never) {
			hit = &Hit{Limit: *c.limit, Key: c.key, Window: time.Duration(c.w.length) * time.Millisecond, Max: c.w.max, Count: c.w.estimate(s)}
		}
		never = never || !ok
		retry = max(retry, ra)
	}
	if hit != nil {
		hit.Never = never
		if !never {
			hit.RetryAfter = time.Duration(retry) * time.Millisecond
		}
	}
	return hit
}

// plan returns the windows of every limit that applies to m at nowMS.
func (l *Limiter) plan(m Message, nowMS int64) []check {
	var out []check
	for i := range l.limits {
		lim := &l.limits[i]
		key := scopeKey(lim.Scope, m)
		cost := int64(1)
		if lim.Unit == Recipients {
			cost = int64(m.Recipients)
		}
		if key == "" || cost <= 0 {
			continue
		}
		for _, w := range lim.windows() {
			b := nowMS / w.length
			start := b * w.length
			name := "rl:" + lim.Name + ":" + strconv.FormatInt(w.length, 10) + ":"
			out = append(out, check{
				limit: lim, w: w, key: key, cost: cost, elapsed: nowMS - start,
				cur:    name + strconv.FormatInt(b, 10) + ":" + encode(key),
				prev:   name + strconv.FormatInt(b-1, 10) + ":" + encode(key),
				curTTL: time.Duration(start+2*w.length-nowMS) * time.Millisecond, prevTTL: time.Duration(start+w.length-nowMS) * time.Millisecond,
			})
		}
	}
	return out
}

// scopeKey returns m's normalized value for scope, "" when m has none.
func scopeKey(scope Scope, m Message) string {
	switch scope {
	case SASLUser:
		return strings.ToLower(m.SASLUser)
	case SenderDomain:
		return strings.TrimSuffix(strings.ToLower(m.SenderDomain), ".")
	case ClientIP:
		return clientKey(m.ClientIP)
	}
	return ""
}

// clientKey is an address in its canonical form, IPv4-mapped IPv6 as
// IPv4, other IPv6 as its /64 (one customer's block: counting per address
// would let it rotate through 2^64 of them); text that is no address
// (Postfix's "unknown") as itself.
func clientKey(ip string) string {
	a, err := netip.ParseAddr(strings.Trim(ip, "[]"))
	if err != nil {
		return strings.ToLower(ip)
	}
	a = a.Unmap().WithZone("")
	if a.Is6() {
		return netip.PrefixFrom(a, 64).Masked().String()
	}
	return a.String()
}

// encode returns a scope value for a counter key: as itself when short,
// else its SHA-256 (a counter key is at most counter.MaxKeyBytes).
func encode(v string) string {
	if len(v) <= 256 {
		return "v" + v
	}
	sum := sha256.Sum256([]byte(v))
	return "h" + hex.EncodeToString(sum[:])
}
