package archive

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Run writes queued records until ctx ends, then flushes what is queued
// with one last attempt per batch, bounded by CloseTimeout, and returns.
// A batch is written when it has Batch records or its first record has
// waited Flush. A failed batch is kept and retried after RetryMin,
// doubling up to RetryMax, while Add keeps queueing up to Queue, then
// spooling. When the queue is empty the spool's segments are written,
// oldest first, each removed once stored. With Retention set it also
// prunes, on its own goroutine. Failures are logged at most once a minute
// per kind. Call Run once; later calls return at once.
func (w *Writer) Run(ctx context.Context) {
	if !w.started.CompareAndSwap(false, true) {
		return
	}
	var wg sync.WaitGroup
	if w.opts.Retention > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.pruneLoop(ctx)
		}()
	}
	b := w.loop(ctx)
	w.shutdown(ctx, b)
	wg.Wait()
}

// batch is the records being written and, for a spool segment, its
// sequence (0 for records from the queue).
type batch struct {
	recs []Record
	seg  uint64
}

// loop writes batches until ctx ends and returns the batch in hand.
func (w *Writer) loop(ctx context.Context) batch {
	b := batch{recs: make([]Record, 0, w.opts.Batch)}
	t := newLoopTimers(w.opts)
	defer t.stop()
	for ctx.Err() == nil {
		write, err := w.ready(&b, t.retryC != nil)
		if err != nil {
			t.retryLater() // the spool cannot be read: wait as after a failed insert
			continue
		}
		if !write && !w.await(ctx, &b, t) {
			continue
		}
		t.flush.Stop()
		t.flushC, t.retryC = nil, nil
		err = w.insert(ctx, b.recs)
		w.reportDrops()
		if err != nil {
			t.retryLater()
			continue
		}
		t.backoff = 0
		w.written.Add(int64(len(b.recs)))
		if w.opts.OnWritten != nil {
			w.opts.OnWritten(len(b.recs))
		}
		w.finish(&b)
	}
	return b
}

// loopTimers are loop's flush and retry timers and its backoff.
type loopTimers struct {
	flush, retry   *time.Timer
	flushC, retryC <-chan time.Time
	backoff        time.Duration
	min, max       time.Duration
}

func newLoopTimers(o WriterOptions) *loopTimers {
	t := &loopTimers{flush: time.NewTimer(o.Flush), retry: time.NewTimer(o.RetryMin), min: o.RetryMin, max: o.RetryMax}
	t.flush.Stop()
	t.retry.Stop()
	return t
}

func (t *loopTimers) stop() {
	t.flush.Stop()
	t.retry.Stop()
}

// retryLater arms the retry timer: min, doubled per failure up to max.
func (t *loopTimers) retryLater() {
	t.backoff = min(max(2*t.backoff, t.min), t.max)
	t.retry.Reset(t.backoff)
	t.retryC = t.retry.C
}

// await waits for a record (added to b: it returns false), the flush or
// retry timer (true: write b), or the end of ctx (false).
func (w *Writer) await(ctx context.Context, b *batch, t *loopTimers) bool {
	in := w.queue
	if len(b.recs) >= w.opts.Batch || t.retryC != nil || b.seg != 0 {
		in = nil // full, waiting to retry, or a segment: leave new records queued
	}
	select {
	case <-ctx.Done():
		return false
	case r := <-in:
		b.recs = append(b.recs, r)
		w.held.Store(int64(len(b.recs)))
		if len(b.recs) == 1 {
			t.flush.Reset(w.opts.Flush)
			t.flushC = t.flush.C
		}
		return false
	case <-t.flushC:
	case <-t.retryC:
	}
	return true
}

// ready reports whether b is to be written now, without waiting: it is
// full or a spool segment; or the queue is empty while the spool holds
// records (b is written at once, or, empty, takes the oldest segment).
// Never while a retry is pending. The error is the spool's.
func (w *Writer) ready(b *batch, retrying bool) (bool, error) {
	switch {
	case retrying:
		return false, nil
	case b.seg != 0 || len(b.recs) >= w.opts.Batch:
		return true, nil
	case w.opts.Spool == nil || len(w.queue) > 0 || w.opts.Spool.Empty():
		return false, nil
	case len(b.recs) > 0:
		return true, nil
	}
	for !w.opts.Spool.Empty() {
		seg, err := w.opts.Spool.Oldest()
		if err != nil {
			w.logs.Note(w.opts.Now(), "spool", 1, "archive: spool failed", slog.String("error", err.Error()))
			return false, err
		}
		w.lostInSpool(seg)
		if len(seg.recs) > 0 {
			b.recs, b.seg = seg.recs, seg.seq
			w.held.Store(int64(len(seg.recs)))
			return true, nil
		}
		if err := w.spoolDone(seg.seq); err != nil {
			return false, err
		}
	}
	return false, nil
}

// lostInSpool counts and logs what of seg could not be read back (its
// queue IDs are not known).
func (w *Writer) lostInSpool(seg segment) {
	if seg.lostBytes == 0 && seg.lostRecords == 0 {
		return
	}
	w.dropped.Add(int64(seg.lostRecords))
	w.reportedDrops.Add(int64(seg.lostRecords)) // logged here, with the segment
	if w.opts.OnDropped != nil {
		for range seg.lostRecords {
			w.opts.OnDropped()
		}
	}
	w.opts.Logger.Error("archive: spool segment damaged or gone, records lost", slog.Uint64("segment", seg.seq),
		slog.Int("records_kept", len(seg.recs)), slog.Int("records_lost", seg.lostRecords), slog.Int64("bytes_lost", seg.lostBytes))
}

// finish ends a stored batch: a segment is removed from the spool.
func (w *Writer) finish(b *batch) {
	if b.seg != 0 {
		// A segment not removed is written again: twice, not lost.
		w.spoolDone(b.seg)
		b.recs = make([]Record, 0, w.opts.Batch)
	}
	clear(b.recs) // drop references to the written strings
	b.recs, b.seg = b.recs[:0], 0
	w.held.Store(0)
}

func (w *Writer) spoolDone(seq uint64) error {
	err := w.opts.Spool.Done(seq)
	if err != nil {
		w.logs.Note(w.opts.Now(), "spool", 1, "archive: spool failed", slog.String("error", err.Error()))
	}
	return err
}

// insert writes recs once and counts a failure.
func (w *Writer) insert(ctx context.Context, recs []Record) error {
	// A store that hangs (a silent network path) must not stall the
	// writer for good: each attempt has its own deadline.
	ctx, cancel := context.WithTimeout(ctx, w.opts.WriteTimeout)
	defer cancel()
	if err := w.store.Insert(ctx, recs); err != nil {
		w.failed.Add(1)
		msg := err.Error()
		w.lastErr.Store(&msg)
		if w.opts.OnError != nil {
			w.opts.OnError()
		}
		w.logs.Note(w.opts.Now(), "insert", 1, "archive: batch insert failed", slog.String("error", msg))
		return err
	}
	w.lastErr.Store(nil)
	// A stored batch ends an outage: the lines say how many failures and
	// drops the last rate-limited line did not count.
	w.reportDrops()
	w.logs.Clear("insert", "archive: batch inserts succeed again")
	w.logs.ClearFunc("dropped", "archive: no more records dropped", w.lost.take)
	return nil
}

// reportDrops logs the records dropped since the last report, with up to
// maxLostIDs of their queue IDs. Drops only happen while the queue (and
// the spool) is full or failing, that is while loop is inside insert or
// waiting to retry, so checking after each attempt sees them.
func (w *Writer) reportDrops() {
	d := w.dropped.Load()
	if n := d - w.reportedDrops.Swap(d); n > 0 {
		w.logs.NoteFunc(w.opts.Now(), "dropped", n, "archive: records dropped", w.lost.take)
	}
}

// shutdown stops Add, then writes b and the queued records with one
// attempt per batch within CloseTimeout; after the first failure the rest
// goes to the spool without waiting for the store. A segment in hand
// stays in the spool. What neither takes is counted dropped and logged in
// one line with its queue IDs.
func (w *Writer) shutdown(parent context.Context, b batch) {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.reportDrops()
	before := w.dropped.Load()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), w.opts.CloseTimeout)
	defer cancel()
	recs := b.recs
	if b.seg != 0 {
		recs = nil // replayed by the next run
	}
	storeOK, spooled := true, 0
	for {
		for len(recs) < w.opts.Batch && len(w.queue) > 0 {
			recs = append(recs, <-w.queue)
		}
		if len(recs) == 0 {
			break
		}
		w.held.Store(int64(len(recs)))
		if storeOK && ctx.Err() == nil && w.insert(ctx, recs) == nil {
			w.written.Add(int64(len(recs)))
			if w.opts.OnWritten != nil {
				w.opts.OnWritten(len(recs))
			}
		} else {
			storeOK = false
			spooled += w.keep(recs)
		}
		clear(recs)
		recs = recs[:0]
	}
	w.held.Store(0)
	if w.opts.Spool != nil {
		w.opts.Spool.Close()
	}
	w.reportedDrops.Store(w.dropped.Load())
	if spooled > 0 {
		w.opts.Logger.Warn("archive: records spooled at shutdown, written after the next start", slog.Int("count", spooled))
	}
	if n := w.dropped.Load() - before; n > 0 {
		attrs := append([]slog.Attr{slog.Int64("count", n)}, w.lost.take()...)
		w.opts.Logger.LogAttrs(context.Background(), slog.LevelError, "archive: records not written at shutdown", attrs...)
	}
}

// keep spools recs at shutdown and returns how many it took; the rest is
// dropped.
func (w *Writer) keep(recs []Record) int {
	n := 0
	for _, r := range recs {
		ok, reason := false, "store failing, no spool"
		if w.opts.Spool != nil {
			ok, reason = w.spool(r)
		}
		if !ok {
			w.drop(reason, r)
			continue
		}
		n++
	}
	return n
}

// pruneLoop prunes at once and then every PruneEvery until ctx ends.
func (w *Writer) pruneLoop(ctx context.Context) {
	if w.pruner == nil {
		w.opts.Logger.Error("archive: retention set but nothing to prune with")
		return
	}
	keep := w.opts.Retention
	if keep < MinRetention {
		w.opts.Logger.Warn("archive: retention below the 180 days of Decree 91/2020 Art. 10.6, using 180 days",
			slog.Duration("retention", keep))
		keep = MinRetention
	}
	tick := time.NewTicker(w.opts.PruneEvery)
	defer tick.Stop()
	for {
		n, err := w.pruner.Prune(ctx, w.opts.Now().Add(-keep))
		switch {
		case err != nil && ctx.Err() == nil:
			if w.opts.OnError != nil {
				w.opts.OnError()
			}
			w.logs.Note(w.opts.Now(), "prune", 1, "archive: prune failed", slog.String("error", err.Error()))
		case n > 0:
			w.opts.Logger.Info("archive: pruned", slog.Int64("records", n))
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if ctx.Err() != nil {
				return // both ready: select picked the tick
			}
		}
	}
}
