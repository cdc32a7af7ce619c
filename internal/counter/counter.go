// Package counter is the shared counter store's interface: hot counters
// that every node of a fleet reads and increments, for the outbound rate
// limits, the "counted once" deduplication and the classifier's token
// counts (increment many, read many, expire). Mem keeps them in one
// process; package internal/counterstore opens the shared ones (a SQLite
// file for one host, PostgreSQL for a few, Valkey/Redis for fleets), all
// held to one contract test suite. The consent registry stays in SQL (it
// is evidence); only counters live here.
package counter

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// Store holds int64 counters by key. Every method is safe for concurrent
// use, also by several processes on one shared store: an Add is atomic per
// key, so the value it returns counts every earlier Add of that key exactly
// once, whichever node made it.
type Store interface {
	// Add adds each Inc's Delta to its key's counter (a missing or expired
	// key starts at 0) and returns the new values, in the order of incs.
	// The key then expires no earlier than TTL from now: an expiry already
	// later is kept, so a counter refreshed by every Add lives as long as it
	// is used. TTL must be positive. The Incs of one call are applied
	// together or not at all. Errors: ErrInvalid (see Check), ErrOverflow,
	// the backend's (then the caller cannot know whether a call whose
	// reply was lost was applied).
	Add(ctx context.Context, incs []Inc) ([]int64, error)
	// Get returns the values of keys, in order; 0 for a missing or expired
	// key.
	Get(ctx context.Context, keys []string) ([]int64, error)
	// Close releases the store's connections.
	Close() error
}

// Inc is one increment for Store.Add.
type Inc struct {
	// Key names the counter: at most MaxKeyBytes bytes, any bytes.
	Key string
	// Delta is added to the counter; it may be negative or 0 (0 only
	// refreshes the expiry and reads the value).
	Delta int64
	// TTL is the least time the counter lives after this Add.
	TTL time.Duration
}

// MaxKeyBytes bounds a key's length in bytes.
const MaxKeyBytes = 512

// ErrInvalid is returned, wrapped, for an empty or too long key or a TTL
// that is not positive; nothing is changed.
var ErrInvalid = errors.New("counter: invalid increment")

// ErrOverflow is returned, wrapped, by an Add that would take a counter
// past the range of int64; nothing is changed.
var ErrOverflow = errors.New("counter: value out of range")

// Check returns an ErrInvalid error for the first bad Inc of incs, nil when
// all are valid. Every Store calls it before changing anything.
func Check(incs []Inc) error {
	for i, in := range incs {
		switch {
		case in.Key == "" || len(in.Key) > MaxKeyBytes:
			return fmt.Errorf("%w: increment %d: key of %d bytes, want 1 to %d", ErrInvalid, i, len(in.Key), MaxKeyBytes)
		case in.TTL <= 0:
			return fmt.Errorf("%w: increment %d: TTL %v, want a positive duration", ErrInvalid, i, in.TTL)
		}
	}
	return nil
}

// Plus returns v+d, or an ErrOverflow error naming increment i.
func Plus(v, d int64, i int) (int64, error) {
	if (d > 0 && v > math.MaxInt64-d) || (d < 0 && v < math.MinInt64-d) {
		return 0, fmt.Errorf("%w: increment %d: %d%+d", ErrOverflow, i, v, d)
	}
	return v + d, nil
}
