package engine_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"milter91/internal/counter"
	"milter91/internal/dedup"
	"milter91/internal/engine"
	"milter91/internal/ratelimit"
	"milter91/internal/txn"
)

// limitedEngine has a limit of count messages an hour per SASL user and
// counts each message once, on one in-memory store.
func limitedEngine(t *testing.T, count int64, extraRules ...string) *engine.Engine {
	store := counter.NewMem(nil)
	l, err := ratelimit.New(store, []ratelimit.Limit{{Name: "user_hour", Scope: ratelimit.SASLUser, Unit: ratelimit.Messages, Count: count, Window: time.Hour}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return newEngine(t, engine.Options{Resolver: dns("v=spf1 -all", ""), RateLimits: l, Once: dedup.New(store, time.Hour), Rules: compile(t, extraRules...)})
}

// submission is message n of alice's, with its own Message-ID and queue ID.
func submission(t *testing.T, n int) *txn.Transaction {
	tr := transaction(t, fmt.Sprintf("From: alice@example.com\r\nTo: bob@example.net\r\nMessage-ID: <%d@example.com>\r\nSubject: s\r\n\r\nbody\r\n", n))
	tr.AuthUser, tr.QueueID = "alice@example.com", fmt.Sprintf("Q%d", n)
	return tr
}

// The limit's facts reach the rules and the shipped rule defers the first
// message over it, naming the limit; unauthenticated mail is not counted.
func TestRateLimitStep(t *testing.T) {
	e := limitedEngine(t, 2)
	for n := 1; n <= 2; n++ {
		if out := mustEvaluate(t, e, submission(t, n)); out.Verdict.Action != txn.ActionAccept || out.Facts.RateLimit.Limited != "" {
			t.Fatalf("message %d: %v %+v, want accepted", n, out.Verdict.Action, out.Facts.RateLimit)
		}
	}
	out := mustEvaluate(t, e, submission(t, 3))
	rl := out.Facts.RateLimit
	if out.Verdict.Action != txn.ActionTempfail || !matched(out.Verdict, "RATE_LIMITED") || rl.Limited != "user_hour" || rl.Key != "alice@example.com" || rl.Count != 2 {
		t.Fatalf("message 3: %v %v %+v, want RATE_LIMITED by user_hour at 2", out.Verdict.Action, out.Verdict.Reply, rl)
	}
	if got := out.Verdict.Reply.String(); got[:9] != "451 4.7.1" {
		t.Errorf("reply %q, want 451 4.7.1", got)
	}
	inbound := submission(t, 4)
	inbound.AuthUser = ""
	if out := mustEvaluate(t, e, inbound); out.Facts.RateLimit != (txn.RateLimit{}) {
		t.Errorf("unauthenticated mail: %+v, want no rate limit fact", out.Facts.RateLimit)
	}
}

// A client that drops after the final dot resends the same message with a
// new queue ID: it is counted once. A message another rule refuses is
// returned, so it counts when it comes back.
func TestRateLimitCountsOnce(t *testing.T) {
	e := limitedEngine(t, 2, `rules:
  - id: REFUSE_SUBJECT
    ref: test
    action: reject
    reply: {code: 550, text: "no"}
    when: {subject: "^refuse$"}
`)
	first := mustEvaluate(t, e, submission(t, 1))
	resent := submission(t, 1)
	resent.QueueID = "Q1-again"
	again := mustEvaluate(t, e, resent)
	if first.Verdict.Action != txn.ActionAccept || again.Verdict.Action != txn.ActionAccept || !again.Facts.RateLimit.Duplicate {
		t.Fatalf("resend: %v %+v, want accepted as a duplicate", again.Verdict.Action, again.Facts.RateLimit)
	}
	refused := transaction(t, "From: alice@example.com\r\nMessage-ID: <r@example.com>\r\nSubject: refuse\r\n\r\nbody\r\n")
	refused.AuthUser = "alice@example.com"
	if out := mustEvaluate(t, e, refused); out.Verdict.Action != txn.ActionReject {
		t.Fatalf("refused message: %v", out.Verdict.Action)
	}
	if out := mustEvaluate(t, e, submission(t, 2)); out.Verdict.Action != txn.ActionAccept {
		t.Fatalf("message 2 after a resend and a refused message: %v %+v, want accepted (1 counted so far)", out.Verdict.Action, out.Facts.RateLimit)
	}
	if out := mustEvaluate(t, e, submission(t, 3)); out.Facts.RateLimit.Limited != "user_hour" {
		t.Fatalf("message 3: %+v, want over user_hour", out.Facts.RateLimit)
	}
}

// broken fails every call: the rate limits then do not apply
// (rate_limit_unavailable) and the message passes under the shipped rules.
type broken struct{ counter.Store }

func (broken) Get(_ context.Context, _ []string) ([]int64, error) { return nil, errBroken }
func (broken) Add(_ context.Context, _ []counter.Inc) ([]int64, error) {
	return nil, errBroken
}

func TestRateLimitStoreDown(t *testing.T) {
	l, err := ratelimit.New(broken{}, []ratelimit.Limit{{Name: "user_hour", Scope: ratelimit.SASLUser, Unit: ratelimit.Messages, Count: 1, Window: time.Hour}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := newEngine(t, engine.Options{Resolver: dns("v=spf1 -all", ""), RateLimits: l, Once: dedup.New(broken{}, time.Hour)})
	out := mustEvaluate(t, e, submission(t, 1))
	if out.Verdict.Action != txn.ActionAccept || !out.Facts.RateLimit.Unavailable || len(out.Facts.CheckErrors) != 0 {
		t.Errorf("store down: %v %+v faults %v, want accepted, unavailable, no fault", out.Verdict.Action, out.Facts.RateLimit, out.Facts.CheckErrors)
	}
}

var errBroken = errors.New("counter store: connection refused")

// calls counts a store's calls.
type calls struct {
	counter.Store
	n atomic.Int64
}

func (c *calls) Get(ctx context.Context, keys []string) ([]int64, error) {
	c.n.Add(1)
	return c.Store.Get(ctx, keys)
}

func (c *calls) Add(ctx context.Context, incs []counter.Inc) ([]int64, error) {
	c.n.Add(1)
	return c.Store.Add(ctx, incs)
}

// Mail that nothing counts (inbound, no Decree 91 registry) costs no
// counter store call; an outbound message costs a Get, its Take and, once
// accepted, its mark.
func TestCountingOnlyWhatCounts(t *testing.T) {
	store := &calls{Store: counter.NewMem(nil)}
	l, err := ratelimit.New(store, []ratelimit.Limit{{Name: "user_hour", Scope: ratelimit.SASLUser, Unit: ratelimit.Messages, Count: 5, Window: time.Hour}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := newEngine(t, engine.Options{Resolver: dns("v=spf1 -all", ""), RateLimits: l, Once: dedup.New(store, time.Hour)})
	inbound := submission(t, 1)
	inbound.AuthUser = ""
	mustEvaluate(t, e, inbound)
	if n := store.n.Load(); n != 0 {
		t.Errorf("an inbound message made %d store calls, want 0", n)
	}
	mustEvaluate(t, e, submission(t, 2))
	if n := store.n.Load(); n != 3 {
		t.Errorf("an outbound message made %d store calls, want 3 (Get, Add, mark)", n)
	}
}
