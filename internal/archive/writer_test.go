package archive

import (
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestWriterBatches(t *testing.T) {
	cases := []struct {
		name  string
		opts  WriterOptions
		add   int
		early []int // batch sizes before ctx ends
		final []int // after
	}{
		{name: "by size, rest at cancel", opts: WriterOptions{Batch: 5, Flush: time.Hour}, add: 12, early: []int{5, 5}, final: []int{5, 5, 2}},
		{name: "by time", opts: WriterOptions{Batch: 100, Flush: 2 * time.Millisecond}, add: 3, early: []int{3}, final: []int{3}},
		{name: "nothing until cancel", opts: WriterOptions{Batch: 100, Flush: time.Hour}, add: 7, early: []int{}, final: []int{7}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeStore{}
			var written atomic.Int64
			c.opts.OnWritten = func(n int) { written.Add(int64(n)) }
			w := NewWriter(f, c.opts)
			stop := start(t, w)
			in := recs("q", c.add)
			addAll(t, w, in)
			sum := 0
			for _, n := range c.early {
				sum += n
			}
			waitFor(t, "early batches", func() bool { return w.Stats().Written == int64(sum) })
			waitFor(t, "the rest pending", func() bool { return w.Stats().Pending == int64(c.add-sum) })
			if got := f.sizes(); !reflect.DeepEqual(got, c.early) {
				t.Errorf("batches before cancel %v, want %v", got, c.early)
			}
			stop()
			if got := f.sizes(); !reflect.DeepEqual(got, c.final) {
				t.Errorf("batches after cancel %v, want %v", got, c.final)
			}
			if got := f.ids(); !reflect.DeepEqual(got, queueIDs(in)) {
				t.Errorf("written %v, want each record once in order", got)
			}
			st := w.Stats()
			if want := (WriterStats{Accepted: int64(c.add), Written: int64(c.add)}); st != want || written.Load() != int64(c.add) {
				t.Errorf("stats %+v, OnWritten total %d; want %+v", st, written.Load(), want)
			}
			if w.Add(Record{QueueID: "late"}) || w.Stats().Dropped != 1 {
				t.Errorf("Add after Run ended: stats %+v, want it dropped", w.Stats())
			}
		})
	}
}

func TestWriterRetries(t *testing.T) {
	f := &fakeStore{}
	f.fail.Store(true)
	var errs atomic.Int64
	w := NewWriter(f, WriterOptions{Batch: 4, Flush: time.Millisecond, RetryMin: time.Millisecond,
		RetryMax: 4 * time.Millisecond, OnError: func() { errs.Add(1) }})
	stop := start(t, w)
	first, second := recs("a", 10), recs("b", 5)
	addAll(t, w, first)
	waitFor(t, "3 failed batches", func() bool { return w.Stats().FailedBatches >= 3 })
	addAll(t, w, second) // queued while failing
	if st := w.Stats(); st.Written != 0 || st.Pending != 15 {
		t.Fatalf("while failing: %+v, want nothing written, 15 pending", st)
	}
	f.fail.Store(false)
	waitFor(t, "recovery", func() bool { return w.Stats().Written == 15 })
	stop()
	if got, want := f.ids(), append(queueIDs(first), queueIDs(second)...); !reflect.DeepEqual(got, want) {
		t.Errorf("written %v, want %v (none lost, none twice)", got, want)
	}
	if st := w.Stats(); st.FailedBatches != errs.Load() || st.Dropped != 0 {
		t.Errorf("stats %+v, OnError %d", st, errs.Load())
	}
}

// A store that hangs counts as failed after WriteTimeout, and the batch is
// written once the store answers again.
func TestWriterHangingStore(t *testing.T) {
	f := &fakeStore{gate: make(chan struct{})}
	w := NewWriter(f, WriterOptions{Batch: 2, Flush: time.Millisecond, RetryMin: time.Millisecond,
		RetryMax: 2 * time.Millisecond, WriteTimeout: 5 * time.Millisecond})
	stop := start(t, w)
	addAll(t, w, recs("h", 2))
	waitFor(t, "2 timed-out attempts", func() bool { return w.Stats().FailedBatches >= 2 })
	close(f.gate)
	waitFor(t, "written after the store answers", func() bool { return w.Stats().Written == 2 })
	stop()
	if got := f.ids(); len(got) != 2 {
		t.Errorf("written %v, want the 2 records once", got)
	}
}

func TestWriterQueueFull(t *testing.T) {
	f := &fakeStore{gate: make(chan struct{}), entered: make(chan struct{}, 1)}
	logs := &logSink{}
	var drops atomic.Int64
	w := NewWriter(f, WriterOptions{Queue: 3, Batch: 1, Flush: time.Millisecond,
		Logger: slog.New(logs), OnDropped: func() { drops.Add(1) }})
	stop := start(t, w)
	in := recs("q", 6)
	addAll(t, w, in[:1])
	<-f.entered // Run holds q0 in a blocked Insert; the queue is empty
	addAll(t, w, in[1:4])
	for _, r := range in[4:] {
		if w.Add(r) {
			t.Fatalf("Add(%s) into a full queue returned true", r.QueueID)
		}
	}
	if st := w.Stats(); st.Dropped != 2 || drops.Load() != 2 || st.Accepted != 4 {
		t.Fatalf("stats %+v, OnDropped %d; want 2 dropped, 4 accepted", st, drops.Load())
	}
	close(f.gate)
	waitFor(t, "the queued records", func() bool { return w.Stats().Written == 4 })
	stop()
	if got := f.ids(); !reflect.DeepEqual(got, queueIDs(in[:4])) {
		t.Errorf("written %v", got)
	}
	if got := logs.lines("archive: records dropped"); !reflect.DeepEqual(got, []int64{2}) {
		t.Errorf("drop log lines (counts) %v, want one line counting 2", got)
	}
	if got := logs.attr("archive: records dropped", "queue_ids"); !reflect.DeepEqual(got, []string{"q4 q5"}) {
		t.Errorf("drop log lines list %q, want the queue IDs of the 2 dropped", got)
	}
}

func TestWriterCloseTimeout(t *testing.T) {
	f := &fakeStore{gate: make(chan struct{}), entered: make(chan struct{}, 1)}
	logs := &logSink{}
	w := NewWriter(f, WriterOptions{Flush: time.Millisecond, CloseTimeout: 5 * time.Millisecond, Logger: slog.New(logs)})
	stop := start(t, w)
	addAll(t, w, recs("q", 3))
	<-f.entered
	stop() // Insert never returns until its ctx ends
	if st := w.Stats(); st.Written != 0 || st.Dropped != 3 || st.Pending != 0 {
		t.Errorf("stats %+v, want 3 dropped", st)
	}
	if got := logs.lines("archive: records not written at shutdown"); !reflect.DeepEqual(got, []int64{3}) {
		t.Errorf("shutdown log lines %v, want one counting 3", got)
	}
}

func TestWriterLogRateLimit(t *testing.T) {
	f := &fakeStore{}
	f.fail.Store(true)
	clock := newClock(t0)
	logs := &logSink{}
	w := NewWriter(f, WriterOptions{Flush: time.Millisecond, RetryMin: time.Millisecond, RetryMax: time.Millisecond,
		Now: clock.Now, Logger: slog.New(logs)})
	start(t, w)
	addAll(t, w, recs("q", 1))
	const msg = "archive: batch insert failed"
	waitFor(t, "5 failures", func() bool { return w.Stats().FailedBatches >= 5 })
	if got := logs.lines(msg); !reflect.DeepEqual(got, []int64{1}) {
		t.Fatalf("within a minute: lines %v, want one counting 1", got)
	}
	clock.advance(logEvery)
	waitFor(t, "a second line", func() bool { return len(logs.lines(msg)) == 2 })
	if n := logs.lines(msg)[1]; n < 5 || n > w.Stats().FailedBatches {
		t.Errorf("second line counts %d failures, want the 4+ suppressed and this one", n)
	}
	f.fail.Store(false)
	waitFor(t, "the write", func() bool { return w.Stats().Written == 1 })
	if got := len(logs.lines(msg)); got != 2 {
		t.Errorf("%d lines without the clock moving, want 2", got)
	}
	if got := logs.lines("archive: batch inserts succeed again"); len(got) != 1 {
		t.Errorf("recovery lines %v, want one", got)
	}
}

func TestWriterPrune(t *testing.T) {
	now := t0.Add(400 * 24 * time.Hour)
	cases := []struct {
		name      string
		retention time.Duration
		fail      bool
		want      time.Time // zero: Prune never called
		logMsg    string
	}{
		{name: "200 days", retention: 200 * 24 * time.Hour, want: now.Add(-200 * 24 * time.Hour)},
		{name: "below the decree's minimum", retention: time.Hour, want: now.Add(-MinRetention),
			logMsg: "archive: retention below the 180 days of Decree 91/2020 Art. 10.6, using 180 days"},
		{name: "failing", retention: 200 * 24 * time.Hour, fail: true, want: now.Add(-200 * 24 * time.Hour),
			logMsg: "archive: prune failed"},
		{name: "off"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := &fakePruner{fail: c.fail}
			logs := &logSink{}
			var errs atomic.Int64
			w := NewWriter(&fakeStore{}, WriterOptions{Retention: c.retention, PruneEvery: time.Millisecond,
				Pruner: p, Now: newClock(now).Now, Logger: slog.New(logs), OnError: func() { errs.Add(1) }})
			stop := start(t, w)
			if !c.want.IsZero() {
				waitFor(t, "two prunes", func() bool { return len(p.calls()) >= 2 })
			}
			stop()
			calls := p.calls()
			if c.want.IsZero() && len(calls) != 0 {
				t.Fatalf("pruned %d times with retention off", len(calls))
			}
			for _, b := range calls {
				if !b.Equal(c.want) {
					t.Errorf("Prune(before=%s), want %s", b, c.want)
				}
			}
			if c.logMsg != "" && len(logs.lines(c.logMsg)) != 1 {
				t.Errorf("log lines %q: %d, want 1", c.logMsg, len(logs.lines(c.logMsg)))
			}
			// A Prune failing as ctx ends is shutdown, not a failure.
			if n := errs.Load(); c.fail && (n < int64(len(calls)-1) || n > int64(len(calls))) {
				t.Errorf("OnError called %d times for %d failed prunes", n, len(calls))
			}
		})
	}
}

// storePruner is an Inserter that is also a Pruner.
type storePruner struct {
	fakeStore
	fakePruner
}

func TestWriterPrunesWithTheStore(t *testing.T) {
	s := &storePruner{}
	w := NewWriter(s, WriterOptions{Retention: MinRetention, Now: newClock(t0).Now})
	stop := start(t, w)
	waitFor(t, "the first prune", func() bool { return len(s.calls()) == 1 })
	stop()
	if got := s.calls()[0]; !got.Equal(t0.Add(-MinRetention)) {
		t.Errorf("Prune(before=%s), want %s", got, t0.Add(-MinRetention))
	}
}

// TestWriterConcurrentAddAndStop adds from many goroutines while Run
// ends: every accepted record is written, every other one counted dropped.
func TestWriterConcurrentAddAndStop(t *testing.T) {
	f := &fakeStore{}
	w := NewWriter(f, WriterOptions{Queue: 100, Batch: 16, Flush: time.Millisecond})
	stop := start(t, w)
	const workers, each = 8, 500
	var wg sync.WaitGroup
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				w.Add(Record{QueueID: fmt.Sprintf("g%d-%d", g, i)})
			}
		}()
	}
	waitFor(t, "some writes", func() bool { return w.Stats().Written > 0 })
	stop()
	wg.Wait()
	st := w.Stats()
	ids := f.ids()
	if st.Written != st.Accepted || int64(len(ids)) != st.Accepted || st.Accepted+st.Dropped != workers*each {
		t.Errorf("stats %+v, %d stored; want every accepted record written once and the rest dropped", st, len(ids))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("%s written twice", id)
		}
		seen[id] = true
	}
}
