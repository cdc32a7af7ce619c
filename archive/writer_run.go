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
// doubling up to RetryMax, while Add keeps queueing up to Queue. With
// Retention set it also prunes, on its own goroutine. Failures are logged
// at most once a minute per kind. Call Run once; later calls return at
// once.
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
	batch := w.loop(ctx)
	w.shutdown(ctx, batch)
	wg.Wait()
}

// loop writes batches until ctx ends and returns the batch in hand.
func (w *Writer) loop(ctx context.Context) []Record {
	batch := make([]Record, 0, w.opts.Batch)
	flush := time.NewTimer(w.opts.Flush)
	flush.Stop()
	defer flush.Stop()
	retry := time.NewTimer(w.opts.RetryMin)
	retry.Stop()
	defer retry.Stop()
	var flushC, retryC <-chan time.Time
	var backoff time.Duration
	for {
		in := w.queue
		if len(batch) >= w.opts.Batch || retryC != nil {
			in = nil // full, or waiting to retry: leave new records queued
		}
		select {
		case <-ctx.Done():
			return batch
		case r := <-in:
			batch = append(batch, r)
			w.held.Store(int64(len(batch)))
			if len(batch) == 1 {
				flush.Reset(w.opts.Flush)
				flushC = flush.C
			}
			if len(batch) < w.opts.Batch {
				continue
			}
		case <-flushC:
		case <-retryC:
		}
		flush.Stop()
		flushC, retryC = nil, nil
		err := w.insert(ctx, batch)
		w.reportDrops()
		if err != nil {
			if ctx.Err() != nil {
				return batch
			}
			backoff = min(max(2*backoff, w.opts.RetryMin), w.opts.RetryMax)
			retry.Reset(backoff)
			retryC = retry.C
			continue
		}
		backoff = 0
		clear(batch) // drop references to the written strings
		batch = batch[:0]
		w.held.Store(0)
	}
}

// insert writes batch once and counts the outcome.
func (w *Writer) insert(ctx context.Context, batch []Record) error {
	// A store that hangs (a silent network path) must not stall the
	// writer for good: each attempt has its own deadline.
	ctx, cancel := context.WithTimeout(ctx, w.opts.WriteTimeout)
	defer cancel()
	if err := w.store.Insert(ctx, batch); err != nil {
		w.failed.Add(1)
		if w.opts.OnError != nil {
			w.opts.OnError()
		}
		w.logs.Note(w.opts.Now(), "insert", 1, "archive: batch insert failed", slog.String("error", err.Error()))
		return err
	}
	// A stored batch ends an outage: the lines say how many failures and
	// drops the last rate-limited line did not count.
	w.reportDrops()
	w.logs.Clear("insert", "archive: batch inserts succeed again")
	w.logs.Clear("queue_full", "archive: no more records dropped")
	w.written.Add(int64(len(batch)))
	if w.opts.OnWritten != nil {
		w.opts.OnWritten(len(batch))
	}
	return nil
}

// reportDrops logs the records dropped since the last report. Drops only
// happen while the queue is full, that is while loop is inside insert or
// waiting to retry, so checking after each attempt sees them.
func (w *Writer) reportDrops() {
	d := w.dropped.Load()
	if n := d - w.reportedDrops.Swap(d); n > 0 {
		w.logs.Note(w.opts.Now(), "queue_full", n, "archive: queue full, records dropped")
	}
}

// shutdown stops Add, then writes batch and the queued records with one
// attempt per batch within CloseTimeout; what fails is counted dropped and
// logged in one line (not as a queue-full drop).
func (w *Writer) shutdown(parent context.Context, batch []Record) {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.reportDrops()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), w.opts.CloseTimeout)
	defer cancel()
	lost := 0
	for {
		for len(batch) < w.opts.Batch && len(w.queue) > 0 {
			batch = append(batch, <-w.queue)
		}
		if len(batch) == 0 {
			break
		}
		w.held.Store(int64(len(batch)))
		if ctx.Err() != nil || w.insert(ctx, batch) != nil {
			lost += len(batch)
			w.drop(len(batch))
		}
		clear(batch)
		batch = batch[:0]
	}
	w.held.Store(0)
	w.reportedDrops.Store(w.dropped.Load())
	if lost > 0 {
		w.opts.Logger.Error("archive: records not written at shutdown", slog.Int("count", lost))
	}
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
		}
	}
}
