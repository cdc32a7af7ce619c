package engine

import (
	"context"
	"fmt"
	"time"

	"milter91/decree/stage"
	"milter91/internal/txn"
	"milter91/rules"
)

// decree is the Decree 91/2020 step (package decree/stage): Facts.Decree,
// and the sends reserved for Finish. It does not run without a stage or
// once ctx has ended; its error is a fault named "decree91".
func (e *Engine) decree(ctx context.Context, m *message) *stage.Sends {
	st := e.opt.Decree
	if st == nil || ctx.Err() != nil {
		return nil
	}
	var sends *stage.Sends
	m.run(ctx, step{"decree91", func(ctx context.Context, m *message) error {
		d, s, err := st.Run(ctx, stage.Input{Txn: m.t, Msg: m.msg, Body: m.body, DKIM: m.f.DKIM})
		m.f.Decree, sends = d, s
		return err
	}})
	return sends
}

// decide is the rules step: the rules run once for the message, or, when
// the registry gave per-recipient facts, once per recipient and the
// decree stage chooses among the verdicts (stage.Choose); removed are the
// recipients to delete. Past ctx's end the error is the context's and the
// verdict unfinished.
func (e *Engine) decide(ctx context.Context, m *message) (txn.Verdict, map[string]bool, error) {
	rcpts := m.f.Decree.Recipients
	if len(rcpts) == 0 {
		v, err := e.evaluateRules(ctx, m, nil)
		return v, nil, err
	}
	verdicts := make([]txn.Verdict, len(rcpts))
	for i := range rcpts {
		v, err := e.evaluateRules(ctx, m, &rcpts[i])
		if err != nil {
			return v, nil, err
		}
		verdicts[i] = v
	}
	v, removed := e.opt.Decree.Choose(m.t.QueueID, rcpts, verdicts)
	return v, removed, nil
}

// evaluateRules runs the end-of-message rules once, for rcpt when it is
// not nil. A panicking rule is a fault named "rules".
func (e *Engine) evaluateRules(ctx context.Context, m *message, rcpt *txn.DecreeRecipient) (v txn.Verdict, err error) {
	start := time.Now()
	defer func() {
		m.f.Durations["rules"] += time.Since(start)
		if r := recover(); r != nil {
			m.f.CheckErrors = append(m.f.CheckErrors, "rules")
			err = fmt.Errorf("engine: rules panicked: %v", r)
		}
	}()
	return e.opt.Rules.EvaluateInput(ctx, rules.AtEOM, rules.Input{Txn: m.t, Facts: m.f, Recipient: rcpt})
}
