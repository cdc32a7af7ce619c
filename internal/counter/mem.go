package counter

import (
	"context"
	"sync"
	"time"
)

// Mem is a Store in the memory of one process, for tests and for a single
// host that needs no persistence. Expired counters are dropped as they are
// met and by Sweep.
type Mem struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]memEntry
}

type memEntry struct {
	value   int64
	expires time.Time
}

var _ Backend = (*Mem)(nil)

// NewMem returns an empty Mem that reads the time from now (time.Now when
// nil), so that tests can move the clock.
func NewMem(now func() time.Time) *Mem {
	if now == nil {
		now = time.Now
	}
	return &Mem{now: now, m: map[string]memEntry{}}
}

// Add implements Store.
func (s *Mem) Add(ctx context.Context, incs []Inc) ([]int64, error) {
	if err := Check(incs); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	// First the new entries, then the writes: an overflow changes nothing.
	next := make(map[string]memEntry, len(incs))
	out := make([]int64, len(incs))
	for i, in := range incs {
		e, ok := next[in.Key]
		if !ok {
			e = s.live(in.Key, now)
		}
		v, err := Plus(e.value, in.Delta, i)
		if err != nil {
			return nil, err
		}
		e.value = v
		if exp := now.Add(in.TTL); exp.After(e.expires) {
			e.expires = exp
		}
		next[in.Key] = e
		out[i] = e.value
	}
	for k, e := range next {
		s.m[k] = e
	}
	return out, nil
}

// Get implements Store.
func (s *Mem) Get(ctx context.Context, keys []string) ([]int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	out := make([]int64, len(keys))
	for i, k := range keys {
		out[i] = s.live(k, now).value
	}
	return out, nil
}

// Sweep drops the expired counters and returns how many are left.
func (s *Mem) Sweep() int {
	_, left := s.sweep()
	return left
}

func (s *Mem) sweep() (removed, left int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for k, e := range s.m {
		if !now.Before(e.expires) {
			delete(s.m, k)
			removed++
		}
	}
	return removed, len(s.m)
}

// Ping implements Backend: a Mem answers while ctx lives.
func (s *Mem) Ping(ctx context.Context) error { return ctx.Err() }

// Maintain implements Backend: Sweep. A Mem has no size cap.
func (s *Mem) Maintain(ctx context.Context) (Upkeep, error) {
	if err := ctx.Err(); err != nil {
		return Upkeep{}, err
	}
	removed, left := s.sweep()
	return Upkeep{Expired: int64(removed), Rows: int64(left)}, nil
}

// Name implements Backend.
func (s *Mem) Name() string { return "memory" }

// Close implements Store; a Mem needs no closing.
func (s *Mem) Close() error { return nil }

// live returns key's entry, the zero entry when it is missing or expired
// (an expired one is dropped). s.mu is held.
func (s *Mem) live(key string, now time.Time) memEntry {
	e, ok := s.m[key]
	if ok && !now.Before(e.expires) {
		delete(s.m, key)
		return memEntry{}
	}
	return e
}
