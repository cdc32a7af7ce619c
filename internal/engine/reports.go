package engine

import (
	"context"
	"io"
	"slices"

	"milter91/internal/txn"
)

// ReportIntake takes in the feedback report (RFC 5965) a message to the
// abuse mailbox carries (*spamreport.Service): msg is the whole message.
// A message that is no report is answered with Stored false and the
// Problem; an error is a store failure.
type ReportIntake interface {
	TakeMessage(ctx context.Context, msg io.Reader) (txn.SpamReport, error)
}

// reports is the abuse-mailbox step (Decree 91/2020 Art. 10.2, 12.1): a
// message to one of Options.AbuseMailboxes, in any direction (a user
// reports from a mail client through submission), is read as a feedback
// report and taken in: Facts.Report. A store failure is no fault: the
// message is delivered to the mailbox (so the report is not lost) and the
// failure logged.
func (e *Engine) reports(ctx context.Context, m *message) {
	if e.opt.Reports == nil || ctx.Err() != nil || !e.toAbuseMailbox(m.t.Rcpts) {
		return
	}
	m.run(ctx, step{"reports", func(ctx context.Context, m *message) error {
		rep, err := e.opt.Reports.TakeMessage(ctx, m.t.MessageReader())
		if err != nil {
			rep = txn.SpamReport{Problem: "report store: " + err.Error()}
			e.opt.Logger.Error("spam report not stored: delivered to the abuse mailbox", "queue_id", m.t.QueueID, "error", err.Error())
		}
		m.f.Report = &rep
		return nil
	}})
}

// toAbuseMailbox reports whether some recipient is an abuse mailbox.
func (e *Engine) toAbuseMailbox(rcpts []string) bool {
	return slices.ContainsFunc(rcpts, func(r string) bool { return slices.Contains(e.opt.AbuseMailboxes, rcptKey(r)) })
}

// discard reports whether the outcome drops the message: a stored report
// to the abuse mailboxes only, with reports.abuse_action discard and an
// accepting verdict. A report that could not be stored is always
// delivered.
func (e *Engine) discard(m *message, v txn.Verdict) bool {
	if !e.opt.AbuseDiscard || m.f.Report == nil || !m.f.Report.Stored || v.Action != txn.ActionAccept {
		return false
	}
	return !slices.ContainsFunc(m.t.Rcpts, func(r string) bool { return !slices.Contains(e.opt.AbuseMailboxes, rcptKey(r)) })
}
