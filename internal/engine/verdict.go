package engine

import (
	"context"
	"fmt"
	"sync"
	"time"

	"milter91/decree"
	"milter91/internal/mailmsg"
	"milter91/internal/txn"
	"milter91/rules"
)

// runDecree runs the Decree 91/2020 stage under panic recovery; a registry
// error or a panic is an internal fault ("decree91" in CheckErrors).
func (e *Engine) runDecree(ctx context.Context, t *txn.Transaction, msg *mailmsg.View, f *txn.Facts, body func() *decree.Body) []reservation {
	if e.opt.Decree.Analyzer == nil || ctx.Err() != nil {
		return nil
	}
	var res []reservation
	var mu sync.Mutex
	e.guard(t, f, &mu, "decree91", func() {
		var err error
		res, err = e.analyseDecree(ctx, t, msg, f, body)
		if err != nil {
			panic(err.Error())
		}
	})
	if len(f.CheckErrors) > 0 && f.CheckErrors[len(f.CheckErrors)-1] == "decree91" {
		e.finishDecree(t, f, res, false, nil)
		return nil
	}
	return res
}

// decideAll evaluates the rules once, or once per recipient when the
// Decree 91 registry gave per-recipient facts. With several recipients the
// most severe verdict decides, unless RemoveFailing is set and some
// recipients pass: then the failing ones are removed (returned) and the
// most severe passing verdict decides.
func (e *Engine) decideAll(ctx context.Context, t *txn.Transaction, f *txn.Facts) (txn.Verdict, map[string]bool, error) {
	rcpts := f.Decree.Recipients
	if len(rcpts) == 0 {
		v, err := e.decide(ctx, t, f, nil)
		return v, nil, err
	}
	verdicts := make([]txn.Verdict, len(rcpts))
	for i := range rcpts {
		v, err := e.decide(ctx, t, f, &rcpts[i])
		if err != nil {
			return v, nil, err
		}
		verdicts[i] = v
	}
	worst, worstPass := -1, -1
	for i, v := range verdicts {
		if worst < 0 || severer(v, verdicts[worst]) {
			worst = i
		}
		if v.Action <= txn.ActionQuarantine && (worstPass < 0 || severer(v, verdicts[worstPass])) {
			worstPass = i
		}
	}
	if !e.opt.Decree.RemoveFailing || worstPass < 0 || worst == worstPass {
		return verdicts[worst], nil, nil
	}
	removed := map[string]bool{}
	for i, v := range verdicts {
		if v.Action > txn.ActionQuarantine {
			removed[rcpts[i].Rcpt] = true
			e.opt.Logger.Info("recipient removed", "queue_id", t.QueueID, "rcpt", rcpts[i].Rcpt,
				"action", v.Action.String(), "rules", v.RuleIDs(), "reply", v.Reply.String())
		}
	}
	return verdicts[worstPass], removed, nil
}

// severer orders verdicts by action, then score.
func severer(a, b txn.Verdict) bool {
	if a.Action != b.Action {
		return a.Action > b.Action
	}
	return a.Score > b.Score
}

// decide runs the rules once; past ctx's end the error is the context's
// and the verdict unfinished.
func (e *Engine) decide(ctx context.Context, t *txn.Transaction, f *txn.Facts, rcpt *txn.DecreeRecipient) (v txn.Verdict, err error) {
	start := time.Now()
	defer func() {
		f.Durations["rules"] += time.Since(start)
		if r := recover(); r != nil {
			f.CheckErrors = append(f.CheckErrors, "rules")
			err = fmt.Errorf("engine: rules panicked: %v", r)
		}
	}()
	return e.opt.Rules.EvaluateInput(ctx, rules.AtEOM, rules.Input{Txn: t, Facts: f, Recipient: rcpt})
}
