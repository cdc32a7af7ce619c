package archive

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeStore is an Inserter that records batches, fails while fail is set
// and, with a gate, waits in Insert until the gate is closed or ctx ends.
type fakeStore struct {
	fail    atomic.Bool
	gate    chan struct{}
	entered chan struct{} // gets a value each time Insert is entered, if room
	mu      sync.Mutex
	batches [][]Record
}

func (f *fakeStore) Insert(ctx context.Context, recs []Record) error {
	if f.entered != nil {
		select {
		case f.entered <- struct{}{}:
		default:
		}
	}
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if f.fail.Load() {
		return errors.New("database down")
	}
	f.mu.Lock()
	f.batches = append(f.batches, slices.Clone(recs))
	f.mu.Unlock()
	return nil
}

// sizes returns the sizes of the stored batches.
func (f *fakeStore) sizes() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []int{}
	for _, b := range f.batches {
		out = append(out, len(b))
	}
	return out
}

// ids returns the QueueIDs of all stored records, in write order.
func (f *fakeStore) ids() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []string{}
	for _, b := range f.batches {
		out = append(out, queueIDs(b)...)
	}
	return out
}

// fakePruner records the bounds it was called with.
type fakePruner struct {
	fail   bool
	mu     sync.Mutex
	before []time.Time
}

func (p *fakePruner) Prune(_ context.Context, before time.Time) (int64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.before = append(p.before, before)
	if p.fail {
		return 0, errors.New("prune failed")
	}
	return 1, nil
}

func (p *fakePruner) calls() []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.before)
}

// fakeClock is a settable clock.
type fakeClock struct{ ns atomic.Int64 }

func newClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.ns.Store(t.UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *fakeClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// logSink is a slog.Handler that keeps every record.
type logSink struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (h *logSink) Enabled(context.Context, slog.Level) bool { return true }
func (h *logSink) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *logSink) WithGroup(string) slog.Handler            { return h }
func (h *logSink) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	h.recs = append(h.recs, r.Clone())
	h.mu.Unlock()
	return nil
}

// lines returns the "count" attribute of each record logged with msg.
func (h *logSink) lines(msg string) []int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := []int64{}
	for _, r := range h.recs {
		if r.Message != msg {
			continue
		}
		var n int64 = -1
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "count" {
				n = a.Value.Int64()
			}
			return true
		})
		out = append(out, n)
	}
	return out
}

// attr returns the attribute key of each record logged with msg, as text.
func (h *logSink) attr(msg, key string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := []string{}
	for _, r := range h.recs {
		if r.Message != msg {
			continue
		}
		v := ""
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == key {
				v = a.Value.String()
			}
			return true
		})
		out = append(out, v)
	}
	return out
}

// start runs w until the returned stop is called; stop waits for Run.
func start(t *testing.T, w *Writer) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx)
	}()
	stop = func() {
		cancel()
		<-done
	}
	t.Cleanup(stop)
	return stop
}

// waitFor polls cond until it holds; a test fails only if it never does
// within a generous bound (no timing is asserted).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// recs returns n records with QueueIDs prefix0, prefix1, ….
func recs(prefix string, n int) []Record {
	out := make([]Record, n)
	for i := range out {
		out[i] = Record{Time: t0, QueueID: fmt.Sprintf("%s%d", prefix, i), Action: "accept"}
	}
	return out
}

func addAll(t *testing.T, w *Writer, rs []Record) {
	t.Helper()
	for _, r := range rs {
		if !w.Add(r) {
			t.Fatalf("Add(%s) dropped", r.QueueID)
		}
	}
}
