package engine

import (
	"context"
	"fmt"
	"log/slog"
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
		d, s, err := st.Run(ctx, stage.Input{Txn: m.t, Msg: m.msg, Body: m.body, DKIM: m.f.DKIM, Counted: func(rcpt string) bool { return e.counted(ctx, m)[rcpt] }})
		m.f.Decree, sends = d, s
		return err
	}})
	return sends
}

// decide is the rules step: the rules run once for the message, or, when
// the registry gave per-recipient facts or a recipient's own block list
// matched, once per recipient. A recipient whose block list matched and
// whose verdict refuses is removed when another recipient remains
// (never bouncing the others: Decree 91/2020 Art. 10.2, 10.3); then the
// decree stage chooses among the registry's verdicts (stage.Choose), or
// the most severe remaining verdict decides. removed are the recipients
// to delete. Past ctx's end the error is the context's and the verdict
// unfinished.
func (e *Engine) decide(ctx context.Context, m *message) (txn.Verdict, map[string]bool, error) {
	rcpts := m.f.Decree.Recipients
	decreeRcpts := len(rcpts) > 0
	if !decreeRcpts && len(m.f.UserBlocks) > 0 {
		rcpts = make([]txn.DecreeRecipient, len(m.t.Rcpts))
		for i, r := range m.t.Rcpts {
			rcpts[i].Rcpt = r
		}
	}
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
	rcpts, verdicts, removed := e.removeBlocked(m, rcpts, verdicts)
	if !decreeRcpts {
		return mostSevere(verdicts), removed, nil
	}
	v, more := e.opt.Decree.Choose(m.t.QueueID, rcpts, verdicts)
	for i, r := range rcpts {
		if more[r.Rcpt] {
			removed[r.Rcpt] = true
			e.logRemoved(m, "decree91", slog.String("rcpt", r.Rcpt), slog.Bool("refused", r.Refused),
				slog.String("action", verdicts[i].Action.String()), slog.Any("rules", verdicts[i].RuleIDs()),
				slog.String("reply", verdicts[i].Reply.String()))
		}
	}
	return v, removed, nil
}

// logRemoved logs a recipient removed from the message for reason; in
// observe mode nobody is removed, and the line says it would be.
func (e *Engine) logRemoved(m *message, reason string, attrs ...slog.Attr) {
	msg := "recipient removed"
	if e.opt.Modes.Observes(m.t.Conn) {
		msg = "observe: recipient would be removed"
	}
	args := []any{slog.String("queue_id", m.t.QueueID), slog.String("reason", reason)}
	for _, a := range attrs {
		args = append(args, a)
	}
	e.opt.Logger.Info(msg, args...)
}

// removeBlocked takes out the recipients whose own block list matched
// and whose verdict refuses, unless that would leave none; it returns the
// recipients and verdicts left and the removed ones (a non-nil map).
func (e *Engine) removeBlocked(m *message, rcpts []txn.DecreeRecipient, verdicts []txn.Verdict) ([]txn.DecreeRecipient, []txn.Verdict, map[string]bool) {
	blocked := blockedRcpts(m.f)
	removed := map[string]bool{}
	var keepR []txn.DecreeRecipient
	var keepV []txn.Verdict
	for i, r := range rcpts {
		if blocked[rcptKey(r.Rcpt)] && verdicts[i].Action > txn.ActionQuarantine {
			removed[r.Rcpt] = true
			continue
		}
		keepR, keepV = append(keepR, r), append(keepV, verdicts[i])
	}
	if len(keepR) == 0 {
		return rcpts, verdicts, map[string]bool{}
	}
	for r := range removed {
		e.logRemoved(m, "own block list", slog.String("rcpt", r))
	}
	return keepR, keepV, removed
}

// mostSevere is the most severe of verdicts (at least one), by action
// then score.
func mostSevere(verdicts []txn.Verdict) txn.Verdict {
	worst := verdicts[0]
	for _, v := range verdicts[1:] {
		if v.Action > worst.Action || (v.Action == worst.Action && v.Score > worst.Score) {
			worst = v
		}
	}
	return worst
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
