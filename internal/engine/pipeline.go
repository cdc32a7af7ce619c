package engine

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"milter91/decree"
	"milter91/internal/bayes"
	"milter91/internal/mailmsg"
	"milter91/internal/resolver"
	"milter91/internal/txn"
)

// Evaluate runs one message through the pipeline under ctx's deadline:
//
//	parse       the header once (mailmsg.View: From, Subject), the body decoder
//	checks      SPF ‖ DKIM ‖ ARC ‖ local lists and blocklists, then DMARC
//	decree      the Decree 91/2020 stage: direction, analysis, registry
//	ratelimit   outbound mail against the rate limits, its recipients not
//	            counted before (dedup; the decree stage asks too)
//	userblocks  the recipients' own block lists (Decree 91/2020 Art. 10.2)
//	reports     a feedback report to the abuse mailbox taken in (Art. 12.1)
//	rules       the verdict, once or once per recipient
//	finish      sends and counts kept or returned, the message marked counted
//	autolearn   the classifier learns from the verdict, when asked to
//	edits       the header edits and recipient removals of the verdict,
//	            and the DKIM signing request of outbound mail (signing);
//	            in observe mode (Options.Modes) those of an accepted
//	            message and the would-be verdict in X-Milter91-Would
//
// The outcome is always non-nil. The error is non-nil when a step failed
// internally (see FaultError: a step's error or panic is recorded in
// Facts.CheckErrors, never raised), or when ctx ended (it wraps
// context.Cause(ctx)): the steps stop reading the message and evaluating
// at ctx's end. The caller then applies the configured fail mode and must
// not use the verdict.
func (e *Engine) Evaluate(ctx context.Context, t *txn.Transaction) (*txn.Outcome, error) {
	start := time.Now()
	var queries resolver.Counter
	ctx = resolver.WithCounter(ctx, &queries)
	m := e.parse(ctx, t)
	if !m.skipped {
		m.concurrently(ctx, e.checks()...)
		m.run(ctx, step{"dmarc", e.checkDMARC})
		m.f.Temperrors = temperrors(m.f)
	}
	sends := e.decree(ctx, m)
	e.rateLimit(ctx, m)
	e.userBlocks(ctx, m)
	e.reports(ctx, m)
	e.feedbackID(ctx, m)
	verdict, removed, err := e.decide(ctx, m)
	e.autolearn(ctx, m, verdict, err)
	m.f.DNSQueries = int(queries.Load())
	switch {
	case ctx.Err() != nil:
		// The steps stop reading at the deadline, so their facts are
		// unfinished; the caller answers the fail mode.
		err = fmt.Errorf("engine: %w", context.Cause(ctx))
	case err != nil || len(m.f.CheckErrors) > 0:
		err = &FaultError{Checks: m.f.CheckErrors}
	}
	// An observed message is delivered whatever the verdict: the
	// registry and the counters count it as sent to every recipient.
	observe := e.opt.Modes.Observes(t.Conn)
	accepted := err == nil && (observe || verdict.Action <= txn.ActionQuarantine)
	if observe {
		e.opt.Decree.Finish(t.QueueID, t.Rcpts, &m.f.Decree, sends, accepted, nil)
		e.finishCounts(m, accepted, nil)
		e.observed(m, verdict, removed)
	} else {
		e.opt.Decree.Finish(t.QueueID, t.Rcpts, &m.f.Decree, sends, accepted, removed)
		e.finishCounts(m, accepted, removed)
		e.edits(m, verdict, removed)
	}
	if err == nil {
		// An observed message is delivered: it is signed as accepted.
		sv := verdict
		if observe {
			sv = txn.Verdict{Action: txn.ActionAccept}
		}
		m.out.Sign, m.out.SignRefused = e.signing(m, sv)
		if m.out.SignRefused != "" {
			e.opt.Logger.Info("no DKIM signature", "queue_id", t.QueueID, "auth_user", t.AuthUser, "reason", m.out.SignRefused)
		}
	}
	m.f.Durations["total"] = time.Since(start)
	return m.out, err
}

// message is one message on its way through the pipeline: what the steps
// read (the transaction, its header view, its decoded body) and the
// outcome they fill.
type message struct {
	t   *txn.Transaction
	msg *mailmsg.View
	// body decodes the text parts once, on the first call, for both the
	// link extraction and the Decree 91 analysis.
	body func() *decree.Body
	// features are the classifier's tokens of the message, for autolearn
	// (nil unless the bayes step ran).
	features *bayes.Features
	// skipped: an authenticated submission with SkipAuthenticated, and
	// locally submitted mail (no SMTP client to judge), skip the inbound
	// checks (SPF, DKIM, DMARC, blocklists), not the rules, which judge
	// outbound mail too.
	skipped bool
	out     *txn.Outcome
	f       *txn.Facts // &out.Facts
	counts  counts
	mu      sync.Mutex // guards f.Durations and f.CheckErrors while steps run concurrently
	log     func(msg string, args ...any)
}

// parse is the first step: the header view (From and Subject parsed
// once, RFC 5322 §3.6.2, RFC 2047), the body decoder, and behind a
// trusted relay the client the Received fields name (judgedAs).
func (e *Engine) parse(ctx context.Context, t *txn.Transaction) *message {
	m := &message{msg: mailmsg.NewView(t.Headers), out: &txn.Outcome{Facts: txn.Facts{Durations: map[string]time.Duration{}}},
		skipped: (t.AuthUser != "" && e.opt.SkipAuthenticated) || t.Conn.Local, log: e.opt.Logger.Error}
	m.f = &m.out.Facts
	m.t = e.judgedAs(t, m.f)
	m.f.FromAddresses, m.f.FromStatus, m.f.Subject = m.msg.From.Addrs(), string(m.msg.From.Status), m.msg.Subject
	m.body = e.bodyReader(ctx, t, m.msg)
	return m
}

// step is one named step: run reads m and writes its facts into m.f; its
// error is an internal fault.
type step struct {
	name string
	run  func(ctx context.Context, m *message) error
}

// concurrently runs steps at once and waits for all of them.
func (m *message) concurrently(ctx context.Context, steps ...step) {
	var wg sync.WaitGroup
	for _, s := range steps {
		wg.Go(func() { m.run(ctx, s) })
	}
	wg.Wait()
}

// run runs s, timing it (Durations[s.name]); an error or a panic of s is
// logged and named in CheckErrors, which makes the fail mode answer.
func (m *message) run(ctx context.Context, s step) {
	start := time.Now()
	var err error
	defer func() {
		r := recover()
		m.mu.Lock()
		defer m.mu.Unlock()
		m.f.Durations[s.name] = time.Since(start)
		switch {
		case r != nil:
			m.f.CheckErrors = append(m.f.CheckErrors, s.name)
			m.log("check failed", "queue_id", m.t.QueueID, "check", s.name, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		case err != nil:
			m.f.CheckErrors = append(m.f.CheckErrors, s.name)
			m.log("check failed", "queue_id", m.t.QueueID, "check", s.name, "error", err.Error())
		}
	}()
	err = s.run(ctx, m)
}
