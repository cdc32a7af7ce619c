package dmarcstore

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"milter91/internal/txn"
)

// Writer bounds and defaults.
const (
	// DefaultQueue is how many entries wait for the store at most; past
	// it new entries are dropped, counted and logged (never the mail).
	DefaultQueue = 100000
	batchSize    = 500
	flushEvery   = time.Second
	retryEvery   = 5 * time.Second
	writeTimeout = 30 * time.Second
	// Retention is how long the daemon keeps entries: a month of daily
	// reports can be built again (RFC 9990 §2.1.2: a period is usually
	// a day).
	Retention = 31 * 24 * time.Hour
)

// Writer writes entries in batches (up to 500, at least every second)
// off the milter's goroutines. An insert that fails keeps its batch and
// retries it every 5 s, while new entries queue behind it up to the
// queue bound.
type Writer struct {
	store   *Store
	log     *slog.Logger
	onError func()
	ch      chan Stored
	dropped atomic.Int64
	failing atomic.Bool
	wg      sync.WaitGroup
}

// NewWriter starts a writer to s with a queue of queue entries
// (DefaultQueue when <= 0); onError (nil: none) is called on each failed
// insert, for the metrics. Close stops it.
func NewWriter(s *Store, queue int, log *slog.Logger, onError func()) *Writer {
	if queue <= 0 {
		queue = DefaultQueue
	}
	if onError == nil {
		onError = func() {}
	}
	w := &Writer{store: s, log: log, onError: onError, ch: make(chan Stored, queue)}
	w.wg.Add(1)
	go w.run()
	return w
}

// Answered records a's entry (NewEntry); it never blocks: with the queue
// full the entry is dropped and counted (Dropped).
func (w *Writer) Answered(a txn.Answer) {
	e, ok := NewEntry(a)
	if !ok {
		return
	}
	select {
	case w.ch <- e:
	default:
		if n := w.dropped.Add(1); n&(n-1) == 0 { // log at 1, 2, 4, 8, …
			w.log.Error("dmarc report entries dropped: the queue is full", "dropped", n)
		}
	}
}

// Dropped is the number of entries dropped so far; Failing says the last
// insert failed.
func (w *Writer) Dropped() int64 { return w.dropped.Load() }
func (w *Writer) Failing() bool  { return w.failing.Load() }

// Close stops taking entries and writes what is queued, trying until ctx
// ends; what is left then is logged.
func (w *Writer) Close(ctx context.Context) {
	close(w.ch)
	done := make(chan struct{})
	go func() { w.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		w.log.Error("dmarc report entries not written at shutdown", "err", ctx.Err().Error())
	}
}

func (w *Writer) run() {
	defer w.wg.Done()
	var batch []Stored
	tick := time.NewTicker(flushEvery)
	defer tick.Stop()
	for {
		if len(batch) > 0 && w.failing.Load() {
			// The store failed: retry the batch alone while new entries
			// wait in the queue (and past it are dropped).
			time.Sleep(retryEvery)
			batch = w.flush(batch, 1)
			continue
		}
		select {
		case e, ok := <-w.ch:
			if !ok {
				w.flush(batch, 3)
				return
			}
			batch = append(batch, e)
			if len(batch) < batchSize {
				continue
			}
		case <-tick.C:
		}
		batch = w.flush(batch, 1)
	}
}

// flush writes batch, trying tries times retryEvery apart; it returns
// what is still unwritten.
func (w *Writer) flush(batch []Stored, tries int) []Stored {
	for i := 0; len(batch) > 0 && i < tries; i++ {
		if i > 0 {
			time.Sleep(retryEvery)
		}
		ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
		err := w.store.Insert(ctx, batch)
		cancel()
		if err == nil {
			w.failing.Store(false)
			return batch[:0]
		}
		w.onError()
		if !w.failing.Swap(true) {
			w.log.Error("dmarc report entries: store write failed; retrying", "entries", len(batch), "err", err.Error())
		}
	}
	return batch
}
