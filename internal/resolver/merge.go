package resolver

import "sync"

// call is one network query in flight; res is valid once done is closed.
type call struct {
	done chan struct{}
	res  result
}

// flight merges concurrent identical queries: the first caller of a key
// starts the work, later callers wait for the same call. Waiting is up to
// each caller, so one giving up does not cancel the others. The zero value
// is ready to use.
type flight struct {
	mu    sync.Mutex
	calls map[cacheKey]*call
}

// join returns the call in flight for key, or starts work in a new goroutine
// and returns its call. The call leaves the table once work returns, so work
// must publish its result (fill the cache) before returning.
func (f *flight) join(key cacheKey, work func() result) *call {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.calls[key]; ok {
		return c
	}
	if f.calls == nil {
		f.calls = make(map[cacheKey]*call)
	}
	c := &call{done: make(chan struct{})}
	f.calls[key] = c
	go func() {
		c.res = work()
		f.mu.Lock()
		delete(f.calls, key)
		f.mu.Unlock()
		close(c.done)
	}()
	return c
}
