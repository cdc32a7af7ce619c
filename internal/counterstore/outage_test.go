package counterstore

import (
	"context"
	"testing"
	"time"

	"milter91/internal/counter"
	"milter91/internal/pgtest"
)

// returnsBy runs fn and fails the test if it has not returned by limit:
// a store call stuck past its context deadline would hang a milter thread.
func returnsBy(t *testing.T, limit time.Duration, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("call still running %s after it started", limit)
	}
}

// outageAndRecovery cuts s's server away through p (connection refused,
// then a silent link): Add, Get and Ping fail within their deadline; once
// the server is back, the same store works and has applied no failed Add.
func outageAndRecovery(t *testing.T, s counter.Backend, p *pgtest.Proxy) {
	t.Helper()
	if got := mustAdd(t, s, inc("k", 1, time.Hour)); got[0] != 1 {
		t.Fatalf("before the outage: %d", got[0])
	}
	const deadline = 2 * time.Second
	call := func(fn func(ctx context.Context) error) error {
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		defer cancel()
		return fn(ctx)
	}
	want := int64(1)
	for _, o := range []struct {
		name  string
		start func()
	}{{"connection refused", p.Cut}, {"server silent", p.Hush}} {
		o.start()
		returnsBy(t, 3*deadline+10*time.Second, func() {
			addErr := call(func(ctx context.Context) error {
				_, err := s.Add(ctx, []counter.Inc{inc("k", 1, time.Hour)})
				return err
			})
			getErr := call(func(ctx context.Context) error { _, err := s.Get(ctx, []string{"k"}); return err })
			pingErr := call(s.Ping)
			if addErr == nil || getErr == nil || pingErr == nil {
				t.Errorf("%s: Add %v, Get %v, Ping %v; want all to fail", o.name, addErr, getErr, pingErr)
			}
			t.Logf("%s: Add: %v", o.name, addErr)
		})
		p.Cut()
		p.Listen()
		// A pooled connection the proxy cut may fail one call before the
		// client sees the cut (on a loaded machine the peer's close can
		// arrive after the next call is written): a few attempts, and
		// only the one that succeeds counts.
		got, err := addRecovered(s)
		want++
		if err != nil || got[0] != want {
			t.Errorf("%s, recovered: Add = %v, %v; want [%d] (the failed Add not applied)", o.name, got, err, want)
		}
	}
}

// addRecovered adds 1 to "k" once the store answers again: up to three
// attempts, each within 30 s, the error of the last when none succeeds.
func addRecovered(s counter.Backend) ([]int64, error) {
	var err error
	for range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		var got []int64
		got, err = s.Add(ctx, []counter.Inc{inc("k", 1, time.Hour)})
		cancel()
		if err == nil {
			return got, nil
		}
	}
	return nil, err
}
