package dmarcfail

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"milter91/internal/dmarc"
	"milter91/internal/txn"
)

// Defaults and bounds (our choice: RFC 9991 §7 asks receivers to limit
// the reports they send; a failure report is best effort).
const (
	// DefaultPerDomainHour is how many reports a policy domain gets per
	// clock hour at most.
	DefaultPerDomainHour = 10
	// DefaultQueue is how many reports wait for the sender at most; past
	// it a report is dropped, counted and logged (never the mail).
	DefaultQueue = 100
	// maxDomains bounds the rate limiter's map; a new domain past it in
	// the same hour gets no report.
	maxDomains    = 10000
	verifyTimeout = 30 * time.Second
	sendTimeout   = 60 * time.Second
)

// Config is what a Reporter needs.
type Config struct {
	// From is the reporter's address; ReportingMTA the authserv-id, also
	// used to find our Authentication-Results; UserAgent the software.
	From, ReportingMTA, UserAgent string
	// Redact redacts local parts (Report.Redact).
	Redact bool
	// PerDomainHour (<= 0: DefaultPerDomainHour) and Queue (<= 0:
	// DefaultQueue) are the bounds above.
	PerDomainHour, Queue int
}

// Verifier verifies ruf destinations (*dmarc.Checker).
type Verifier interface {
	FailureDestinations(ctx context.Context, policyDomain string, ruf []string) ([]dmarc.Destination, error)
}

// SendFunc hands one report message to the MTA.
type SendFunc func(ctx context.Context, msg []byte) error

// Reporter sends the failure reports of the answers it is given, from
// one goroutine. A nil *Reporter takes answers and sends nothing.
type Reporter struct {
	cfg    Config
	verify Verifier
	send   SendFunc
	log    *slog.Logger
	now    func() time.Time
	ch     chan job
	wg     sync.WaitGroup

	mu     sync.Mutex
	window time.Time
	counts map[string]int

	dropped, limited atomic.Int64
}

type job struct {
	policyDomain string
	ruf          []string
	rep          Report
}

// New starts a Reporter; now is the clock (nil: time.Now). Close stops it.
func New(cfg Config, v Verifier, send SendFunc, log *slog.Logger, now func() time.Time) *Reporter {
	if cfg.PerDomainHour <= 0 {
		cfg.PerDomainHour = DefaultPerDomainHour
	}
	if cfg.Queue <= 0 {
		cfg.Queue = DefaultQueue
	}
	if now == nil {
		now = time.Now
	}
	r := &Reporter{cfg: cfg, verify: v, send: send, log: log, now: now, ch: make(chan job, cfg.Queue), counts: map[string]int{}}
	r.wg.Add(1)
	go r.run()
	return r
}

// Answered queues the failure report of a, when it needs one (wanted)
// and the policy domain is under its hourly limit. It never blocks: with
// the queue full the report is dropped and counted (Dropped).
func (r *Reporter) Answered(a txn.Answer) {
	if r == nil {
		return
	}
	j, ok := r.wanted(a)
	if !ok {
		return
	}
	if !r.allow(j.policyDomain) {
		r.limited.Add(1)
		return
	}
	select {
	case r.ch <- j:
	default:
		if n := r.dropped.Add(1); n&(n-1) == 0 { // log at 1, 2, 4, 8, …
			r.log.Error("dmarc failure reports dropped: the queue is full", "dropped", n)
		}
	}
}

// Dropped counts the reports dropped on a full queue; Limited those over
// a domain's hourly limit.
func (r *Reporter) Dropped() int64 { return r.dropped.Load() }
func (r *Reporter) Limited() int64 { return r.limited.Load() }

// allow counts one report for domain in the current clock hour; false
// when the domain has had PerDomainHour, or the map is full.
func (r *Reporter) allow(domain string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if hour := r.now().Truncate(time.Hour); !hour.Equal(r.window) {
		r.window = hour
		clear(r.counts)
	}
	n, seen := r.counts[domain]
	if n >= r.cfg.PerDomainHour || !seen && len(r.counts) >= maxDomains {
		return false
	}
	r.counts[domain] = n + 1
	return true
}

// Close stops taking answers and sends what is queued until ctx ends.
func (r *Reporter) Close(ctx context.Context) {
	if r == nil {
		return
	}
	close(r.ch)
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		r.log.Error("dmarc failure reports not sent at shutdown", "err", ctx.Err().Error())
	}
}

func (r *Reporter) run() {
	defer r.wg.Done()
	for j := range r.ch {
		r.deliver(j)
	}
}

// deliver verifies j's destinations and sends the report to the allowed
// mailto: ones; a failure is logged, not retried.
func (r *Reporter) deliver(j job) {
	ctx, cancel := context.WithTimeout(context.Background(), verifyTimeout)
	dests, err := r.verify.FailureDestinations(ctx, j.policyDomain, j.ruf)
	cancel()
	if err != nil {
		r.log.Warn("dmarc failure report not sent: checking the destinations failed", "domain", j.policyDomain, "err", err.Error())
		return
	}
	for _, d := range dests {
		addr, err := dmarc.MailtoAddress(d.URI)
		if !d.Allowed || err != nil {
			r.log.Debug("dmarc failure report: destination skipped", "domain", j.policyDomain, "uri", d.URI, "detail", d.Detail)
			continue
		}
		j.rep.To = append(j.rep.To, addr)
	}
	if len(j.rep.To) == 0 {
		return
	}
	ctx, cancel = context.WithTimeout(context.Background(), sendTimeout)
	defer cancel()
	if err := r.send(ctx, j.rep.Message(r.now())); err != nil {
		r.log.Warn("dmarc failure report not sent", "domain", j.policyDomain, "err", err.Error())
		return
	}
	r.log.Info("dmarc failure report sent", "domain", j.policyDomain, "to", strings.Join(j.rep.To, ", "))
}
