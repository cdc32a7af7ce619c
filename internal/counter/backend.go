package counter

import (
	"context"
	"time"
)

// Backend is a Store with the upkeep a daemon runs on it: Open's result.
type Backend interface {
	Store
	// Ping checks that the store answers, within ctx.
	Ping(ctx context.Context) error
	// Maintain removes expired counters, then enforces the size cap, in
	// bounded chunks (each its own transaction), and reports what it did.
	// Safe to run on every node at once; run it every few minutes.
	Maintain(ctx context.Context) (Upkeep, error)
	// Name is the target with its passwords masked, for messages.
	Name() string
}

// Upkeep is what one Maintain did.
type Upkeep struct {
	// Expired is the number of expired counters removed.
	Expired int64
	// Evicted is the number of live counters removed to bring the store
	// under Options.MaxRows, those expiring soonest first.
	Evicted int64
	// Rows is the number of live counters left (counted during the call;
	// -1 where the backend cannot tell: Redis).
	Rows int64
}

// ExpiryMS is the Unix millisecond at which a counter refreshed at now
// with ttl expires, rounded up: it lives no less than ttl.
func ExpiryMS(now time.Time, ttl time.Duration) int64 {
	t := now.Add(ttl)
	ms := t.UnixMilli()
	if t.After(time.UnixMilli(ms)) {
		ms++
	}
	return ms
}
