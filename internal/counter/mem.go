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

var _ Store = (*Mem)(nil)

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
	out := make([]int64, len(incs))
	for i, in := range incs {
		e := s.live(in.Key, now)
		e.value += in.Delta
		if exp := now.Add(in.TTL); exp.After(e.expires) {
			e.expires = exp
		}
		s.m[in.Key] = e
		out[i] = e.value
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
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for k, e := range s.m {
		if !now.Before(e.expires) {
			delete(s.m, k)
		}
	}
	return len(s.m)
}

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
