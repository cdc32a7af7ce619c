package resolver

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestFlightMergesUntilDone(t *testing.T) {
	var f flight
	var runs atomic.Int32
	release := make(chan struct{})
	work := func() result {
		runs.Add(1)
		<-release
		return result{reason: "merged"}
	}
	key := cacheKey{name: "example.test", qtype: 1}
	first := f.join(key, work)
	for range 9 {
		if c := f.join(key, work); c != first {
			t.Fatal("identical join got a different call")
		}
	}
	if other := f.join(cacheKey{name: "example.test", qtype: 16}, func() result { return result{} }); other == first {
		t.Error("different qtype merged")
	}
	close(release)
	<-first.done
	if first.res.reason != "merged" {
		t.Errorf("result = %+v, want the work's", first.res)
	}
	if got := runs.Load(); got != 1 {
		t.Errorf("work ran %d times, want 1", got)
	}
	again := f.join(key, func() result { return result{notFound: true} })
	<-again.done
	if again == first || !again.res.notFound {
		t.Error("join after completion did not start new work")
	}
}

func TestParallelLookupsMerged(t *testing.T) {
	s, z := serve(t, lookupZone...)
	z.SetDelay("example.test", 200*time.Millisecond)
	// With the cache on, a goroutine scheduled after the answer arrived
	// hits the cache: still one query, whatever the host's load.
	c := client(t, Config{}, s)
	const n = 20
	counters := make([]*Counter, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		counters[i] = new(Counter)
		ctx := WithCounter(context.Background(), counters[i])
		wg.Go(func() { _, errs[i] = c.LookupTXT(ctx, "example.test") })
	}
	wg.Wait()
	var sum int64
	for i := range n {
		if errs[i] != nil {
			t.Errorf("lookup %d: %v", i, errs[i])
		}
		sum += counters[i].Load()
	}
	if got := s.Queries(); got != 1 {
		t.Errorf("server queries = %d, want 1", got)
	}
	if sum != 1 {
		t.Errorf("sum of counters = %d, want 1: only the query sent counts", sum)
	}
}

func TestAbandonedWaiterDoesNotCancelOthers(t *testing.T) {
	s, z := serve(t, lookupZone...)
	z.SetDelay("example.test", 300*time.Millisecond)
	c := client(t, Config{}, s)
	short, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, impatientErr := c.LookupTXT(short, "example.test") // starts the query
	_, patientErr := c.LookupTXT(context.Background(), "example.test")
	if !IsTemporary(impatientErr) || !isTimeout(impatientErr) {
		t.Errorf("impatient waiter: %v, want a temporary timeout", impatientErr)
	}
	if patientErr != nil {
		t.Errorf("patient waiter: %v, want the answer", patientErr)
	}
	got, err := c.LookupTXT(context.Background(), "example.test")
	if err != nil || len(got) != 2 {
		t.Errorf("after: %q, %v; want the 2 cached records", got, err)
	}
	if q := s.Queries(); q != 1 {
		t.Errorf("server queries = %d, want 1", q)
	}
	if _, hits := c.Stats(); hits < 1 {
		t.Errorf("cache hits = %d, want the last lookup at least", hits)
	}
}

func TestAbandonedLookupFillsCache(t *testing.T) {
	s, z := serve(t, lookupZone...)
	z.SetDelay("example.test", 100*time.Millisecond)
	c := client(t, Config{}, s)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.LookupA(ctx, "example.test")
	if !IsTemporary(err) {
		t.Fatalf("cancelled before start: %v, want temporary", err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := c.LookupA(ctx, "example.test"); !IsTemporary(err) {
		t.Fatalf("abandoned: %v, want temporary", err)
	}
	for c.cache.len() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := c.LookupA(context.Background(), "example.test"); err != nil {
		t.Fatal(err)
	}
	if q, hits := c.Stats(); q != 1 || hits != 1 {
		t.Errorf("Stats = %d queries, %d hits; want 1 and 1", q, hits)
	}
}
