package milter

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	"milter91/internal/txn"
)

// Kinds of internal fault; each makes the fail mode answer.
const (
	faultError     = "error"     // Evaluate returned an error
	faultPanic     = "panic"     // Evaluate panicked
	faultDeadline  = "deadline"  // Evaluate did not finish within Options.Deadline
	faultSpool     = "spool"     // the body could not be spooled
	faultEvaluator = "evaluator" // no Evaluator configured
	faultOutcome   = "outcome"   // nil Outcome or an unknown action
)

// fault is an internal fault of one message.
type fault struct {
	kind  string
	err   error
	stack []byte // for panics
}

type evalResult struct {
	out *txn.Outcome
	f   *fault
}

// evaluate runs Evaluate on t in its own goroutine, bounded by
// Options.Deadline, and recovers panics. The goroutine owns t.Body and closes
// it (removing its temporary file) when Evaluate returns, except that an
// outcome to sign (Outcome.Sign) hands the body to the caller, who closes
// it after signing: past the deadline
// the session answers the MTA with the fail mode at once, and the engine's
// checks stop at their next read of the message (s.evals counts the
// goroutines until then).
func (s *Server) evaluate(t *txn.Transaction) (*txn.Outcome, *fault) {
	ev := s.evaluator()
	if ev == nil {
		s.closeBody(t)
		return nil, &fault{kind: faultEvaluator, err: errors.New("no evaluator configured")}
	}
	ctx, cancel := context.WithTimeout(s.ctx, s.opts.Deadline)
	defer cancel()
	// Unbuffered: a result is handed over only to a session still
	// waiting, and with it, for an outcome to sign, the body.
	done := make(chan evalResult)
	s.evals.Go(func() {
		r := runEvaluate(ctx, ev, t)
		keep := r.f == nil && r.out.Sign != nil
		if !keep {
			s.closeBody(t)
		}
		select {
		case done <- r:
		case <-ctx.Done():
			if keep {
				s.closeBody(t)
			}
		}
	})
	select {
	case r := <-done:
		return r.out, r.f
	case <-ctx.Done():
		return nil, &fault{kind: faultDeadline, err: fmt.Errorf("evaluate: %w", context.Cause(ctx))}
	}
}

// runEvaluate calls Evaluate and turns errors, panics and a nil outcome into
// faults.
func runEvaluate(ctx context.Context, ev Evaluator, t *txn.Transaction) (r evalResult) {
	defer func() {
		if p := recover(); p != nil {
			r = evalResult{f: &fault{kind: faultPanic, err: fmt.Errorf("evaluate panicked: %v", p), stack: debug.Stack()}}
		}
	}()
	out, err := ev.Evaluate(ctx, t)
	switch {
	case err != nil && errors.Is(err, context.DeadlineExceeded):
		return evalResult{f: &fault{kind: faultDeadline, err: err}}
	case err != nil:
		return evalResult{f: &fault{kind: faultError, err: err}}
	case out == nil:
		return evalResult{f: &fault{kind: faultOutcome, err: errors.New("evaluate returned no outcome")}}
	}
	return evalResult{out: out}
}

// closeBody removes the body spool of t, logging a failure.
func (s *Server) closeBody(t *txn.Transaction) {
	if t.Body == nil {
		return
	}
	if err := t.Body.Close(); err != nil {
		s.log.Warn("close body spool", "queue_id", t.QueueID, "err", err.Error())
	}
}
