package archive

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"milter91/internal/ratelog"
)

// Inserter stores one batch, all or nothing (*Store does). It must not
// keep recs after it returns: the Writer reuses the slice.
type Inserter interface {
	Insert(ctx context.Context, recs []Record) error
}

// Pruner deletes what is older than before and returns how many records
// it deleted (*Store does).
type Pruner interface {
	Prune(ctx context.Context, before time.Time) (int64, error)
}

// WriterOptions configure a Writer. Zero values take the defaults given.
type WriterOptions struct {
	// Queue bounds the records waiting to be written (default 10000);
	// beyond it Add drops.
	Queue int
	// Batch is the most records per Insert (default 500).
	Batch int
	// Flush is the longest a record waits for its batch to fill
	// (default 1 s).
	Flush time.Duration
	// RetryMin and RetryMax bound the wait before retrying a failed batch:
	// RetryMin (default 1 s), doubled per failure up to RetryMax
	// (default 1 min).
	RetryMin, RetryMax time.Duration
	// Retention > 0 makes Run prune: at start and every PruneEvery
	// (default 1 h) it deletes what is older than Now() - Retention. A
	// Retention below MinRetention is raised to it (Art. 10.6).
	Retention  time.Duration
	PruneEvery time.Duration
	// Pruner prunes; nil means the Inserter when it is a Pruner.
	Pruner Pruner
	// CloseTimeout bounds the last flush when Run's ctx ends (default 10 s).
	CloseTimeout time.Duration
	// WriteTimeout bounds one Insert attempt (default 30 s); a store that
	// does not answer within it counts as failed and is retried.
	WriteTimeout time.Duration
	// Spool takes the records the queue cannot, and the ones the last
	// flush could not write; nil drops them (counted and logged). While
	// it holds records new ones go to it too, so that they are written in
	// the order they came. Run closes it.
	Spool *Spool
	// Now is the clock for pruning and log rate limits (default time.Now).
	Now func() time.Time
	// Logger gets the rate-limited failure lines (default: discarded).
	Logger *slog.Logger
	// OnError is called after each failed Insert or Prune, OnDropped for
	// each record lost (queue and spool full or the spool failing, added
	// after Run ended, or not written by the last flush), OnSpooled for
	// each record put into the spool, OnWritten with the size of each
	// stored batch. They run on the Writer's goroutines (OnDropped and
	// OnSpooled also on Add's) and must not block.
	OnError   func()
	OnDropped func()
	OnSpooled func()
	OnWritten func(n int)
}

// logEvery is the least time between two log lines of one kind of
// failure: a database outage at thousands of messages a minute gives one
// line a minute.
const logEvery = time.Minute

// WriterStats are a Writer's counters since NewWriter.
type WriterStats struct {
	// Accepted counts records Add took (queued or spooled); Pending those
	// in the queue or in the batch being written.
	Accepted, Pending int64
	// Written counts records stored; Dropped records lost (see OnDropped).
	Written, Dropped int64
	// Spooled and SpoolBytes are what the spool holds now (records added
	// by an earlier run included).
	Spooled, SpoolBytes int64
	// FailedBatches counts failed Insert calls (a batch retried three
	// times and then written counts 3).
	FailedBatches int64
	// Failing is true from a failed Insert to the next one that works;
	// LastError is that failure's text.
	Failing   bool
	LastError string
}

// Writer moves Records from the milter's goroutines to an Inserter in
// batches, off the hot path: Add never waits for the database or for room
// in the queue; Run writes, retries and prunes. Safe for concurrent use.
type Writer struct {
	store  Inserter
	pruner Pruner
	opts   WriterOptions
	queue  chan Record
	logs   *ratelog.Log

	// mu orders Add against the end of Run: after closed is set no Add
	// enqueues, so the last flush sees every accepted record.
	mu      sync.RWMutex
	closed  bool
	started atomic.Bool

	held                               atomic.Int64 // records in the batch being written
	accepted, written, dropped, failed atomic.Int64
	reportedDrops                      atomic.Int64
	lost                               lostIDs
	lastErr                            atomic.Pointer[string] // nil: the last Insert worked
}

// NewWriter returns a Writer into store; start it with Run.
func NewWriter(store Inserter, opts WriterOptions) *Writer {
	opts = withDefaults(opts)
	p := opts.Pruner
	if p == nil {
		p, _ = store.(Pruner)
	}
	return &Writer{
		store:  store,
		pruner: p,
		opts:   opts,
		queue:  make(chan Record, opts.Queue),
		logs:   ratelog.New(opts.Logger, logEvery, slog.LevelWarn),
	}
}

func withDefaults(o WriterOptions) WriterOptions {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if o.Queue <= 0 {
		o.Queue = 10000
	}
	if o.Batch <= 0 {
		o.Batch = 500
	}
	def(&o.Flush, time.Second)
	def(&o.RetryMin, time.Second)
	def(&o.RetryMax, time.Minute)
	def(&o.PruneEvery, time.Hour)
	def(&o.CloseTimeout, 10*time.Second)
	def(&o.WriteTimeout, 30*time.Second)
	o.RetryMax = max(o.RetryMax, o.RetryMin)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Add queues r for writing and reports whether it was taken. It never
// waits for the database or for room in the queue: when the queue is full
// (or the spool already holds records) r goes to the spool, a short file
// append; when there is no spool, the spool is full or fails, or Run has
// ended, r is dropped, counted (Stats().Dropped, OnDropped) and its queue
// ID logged, and Add returns false.
func (w *Writer) Add(r Record) bool {
	w.mu.RLock()
	ok, reason := false, "queue full"
	if !w.closed {
		sp := w.opts.Spool
		queued := sp == nil || sp.Empty()
		if queued {
			ok = w.enqueue(r)
		}
		if !ok && sp != nil {
			ok, reason = w.spool(r)
		}
		if !ok && !queued {
			ok = w.enqueue(r) // the spool fails: the queue still has room
		}
	} else {
		reason = "archive closed"
	}
	w.mu.RUnlock()
	if !ok {
		w.drop(reason, r)
		return false
	}
	w.accepted.Add(1)
	return true
}

// enqueue puts r into the queue unless it is full.
func (w *Writer) enqueue(r Record) bool {
	select {
	case w.queue <- r:
		return true
	default:
		return false
	}
}

// spool puts r into the spool; the reason is why it could not.
func (w *Writer) spool(r Record) (bool, string) {
	if err := w.opts.Spool.Put(r); err != nil {
		return false, err.Error()
	}
	if w.opts.OnSpooled != nil {
		w.opts.OnSpooled()
	}
	return true, ""
}

// drop counts recs as lost and keeps their queue IDs for the next log
// line.
func (w *Writer) drop(reason string, recs ...Record) {
	w.dropped.Add(int64(len(recs)))
	w.lost.note(reason, recs)
	if w.opts.OnDropped != nil {
		for range recs {
			w.opts.OnDropped()
		}
	}
}

// Stats returns the counters.
func (w *Writer) Stats() WriterStats {
	st := WriterStats{
		Accepted:      w.accepted.Load(),
		Pending:       int64(len(w.queue)) + w.held.Load(),
		Written:       w.written.Load(),
		Dropped:       w.dropped.Load(),
		FailedBatches: w.failed.Load(),
	}
	if sp := w.opts.Spool; sp != nil {
		st.Spooled, st.SpoolBytes = sp.Len(), sp.Bytes()
	}
	if e := w.lastErr.Load(); e != nil {
		st.Failing, st.LastError = true, *e
	}
	return st
}
