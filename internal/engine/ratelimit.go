package engine

import (
	"context"
	"log/slog"
	"time"

	"milter91/internal/dedup"
	"milter91/internal/ratelimit"
	"milter91/internal/txn"
)

// counts is what the counting steps left for the end of the message: the
// recipients counted before (internal/dedup) and the rate limits' decision
// (ratelimit.Limiter.Take).
type counts struct {
	// asked: the store was asked for before (counted); only then is the
	// message marked once accepted.
	asked bool
	// down: a call failed for this message; it makes no more (a store
	// that hangs costs one call timeout, not three).
	down     bool
	before   map[string]bool
	decision ratelimit.Decision
}

// finishTimeout bounds the writes after the verdict (the dedup mark, a
// returned count): they use their own context, the message's may have run
// out.
const finishTimeout = 5 * time.Second

// onceMessage is t as package dedup knows a message: the queue ID, the
// first Message-ID field (RFC 5322 §3.6.4), the envelope.
func onceMessage(t *txn.Transaction) dedup.Message {
	var id string
	if ids := t.HeaderValues("Message-ID"); len(ids) > 0 {
		id = ids[0]
	}
	return dedup.Message{QueueID: t.QueueID, MessageID: id, Sender: t.MailFrom, Rcpts: t.Rcpts}
}

// counted returns the recipients this message was counted for already
// (a resend after the client dropped at the final dot, the same
// transaction seen again), for the rate limits and the Decree 91/2020 24 h
// cap; asked of the store once, on the first call, so that mail nothing
// counts costs no store call. A store failure counts every recipient (it
// is logged, and the rate limit step meets the store's state too).
// Called from the pipeline's goroutine only.
func (e *Engine) counted(ctx context.Context, m *message) map[string]bool {
	c := &m.counts
	if c.asked || e.opt.Once == nil || len(m.t.Rcpts) == 0 {
		return c.before
	}
	c.asked = true
	seen, err := e.opt.Once.Counted(ctx, onceMessage(m.t))
	if err != nil {
		c.down = true
		e.storeFailed(err)
		return nil
	}
	for i, s := range seen {
		if s {
			if c.before == nil {
				c.before = map[string]bool{}
			}
			c.before[m.t.Rcpts[i]] = true
		}
	}
	return c.before
}

// outbound reports whether t is mail the rate limits count: Options.Outbound,
// else authenticated mail.
func (e *Engine) outbound(t *txn.Transaction) bool {
	if e.opt.Outbound != nil {
		return e.opt.Outbound(t)
	}
	return t.AuthUser != ""
}

// rateLimit is the rate limit step (Decree 91/2020 Art. 10.4): outbound
// mail counts against the limits, its recipients not counted before:
// Facts.RateLimit. A message counted before for every recipient is
// Duplicate and not counted; a store failure is Unavailable, no fault
// (the rules decide: by default the message passes).
func (e *Engine) rateLimit(ctx context.Context, m *message) {
	l := e.opt.RateLimits
	if l == nil || !e.outbound(m.t) || ctx.Err() != nil {
		return
	}
	before := e.counted(ctx, m)
	fresh := 0
	for _, r := range m.t.Rcpts {
		if !before[r] {
			fresh++
		}
	}
	rl := &m.f.RateLimit
	if m.counts.down {
		rl.Unavailable = true
		return
	}
	if fresh == 0 && len(m.t.Rcpts) > 0 {
		rl.Duplicate = true
		return
	}
	start := time.Now()
	d, err := l.Take(ctx, ratelimit.Message{SASLUser: m.t.AuthUser, ClientIP: clientText(m.t.Conn), SenderDomain: domainOf(m.t.MailFrom), Recipients: fresh})
	m.f.Durations["ratelimit"] = time.Since(start)
	if err != nil && !d.Allowed && d.Hit == nil {
		rl.Unavailable, m.counts.down = true, true
		e.storeFailed(err)
		return
	}
	e.storeLog.Clear("counters", "counter store available again")
	m.counts.decision = d
	rl.Counted = d.Allowed
	if h := d.Hit; h != nil {
		*rl = txn.RateLimit{Limited: h.Limit.Name, Scope: string(h.Limit.Scope), Key: h.Key, Unit: string(h.Limit.Unit),
			Count: h.Count, Max: h.Max, Window: h.Window, RetryAfter: h.RetryAfter, Never: h.Never}
		e.opt.Logger.Warn("rate limit exceeded", "queue_id", m.t.QueueID, "limit", h.Limit.Name, "scope", string(h.Limit.Scope),
			"key", h.Key, "count", h.Count, "max", h.Max, "window", h.Window.String(), "retry_after", h.RetryAfter.String())
	}
}

// finishCounts follows the verdict: an accepted message that a counting
// step asked about (outbound mail, an advertising email the Decree
// 91/2020 stage counted) is marked counted for the recipients it goes to;
// a message the limits counted that does not go is returned.
func (e *Engine) finishCounts(m *message, accepted bool, removed map[string]bool) {
	ctx, cancel := context.WithTimeout(context.Background(), finishTimeout)
	defer cancel()
	if !accepted && e.opt.RateLimits != nil {
		if err := e.opt.RateLimits.Return(ctx, m.counts.decision); err != nil {
			e.storeFailed(err)
		}
	}
	if !accepted || !m.counts.asked || m.counts.down {
		return
	}
	var rcpts []string
	for _, r := range m.t.Rcpts {
		if !removed[r] && !m.counts.before[r] {
			rcpts = append(rcpts, r)
		}
	}
	if len(rcpts) == 0 {
		return
	}
	if err := e.opt.Once.Mark(ctx, onceMessage(m.t), rcpts); err != nil {
		e.storeFailed(err)
	}
}

// clientText is the client address as Postfix gives it, "" when unknown
// (local submission).
func clientText(c txn.Conn) string {
	if !c.ClientIP.IsValid() {
		return ""
	}
	return c.ClientIP.String()
}

// storeFailed logs a counter store failure, at most once per
// storeLogEvery with the number of failures since: messages pass
// uncounted, and a message counted before may count again.
func (e *Engine) storeFailed(err error) {
	e.storeLog.Note(time.Now(), "counters", 1, "counter store failed: rate limits and counting once not applied", slog.String("error", err.Error()))
}
