package engine

import (
	"context"
	"io"
	"slices"
	"time"

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

// FeedbackIDs stamps outbound ads (*spamreport.Store): a new Feedback-ID
// header value recorded for the message's one recipient, so that a
// feedback loop that redacts the recipient still maps back to them.
type FeedbackIDs interface {
	NewFeedbackID(ctx context.Context, recipient, advertiser string, now time.Time) (string, error)
}

// feedbackID is the Feedback-ID step: an outbound advertising email to
// one recipient that carries no Feedback-ID gets one (Facts.FeedbackID,
// added by the edits). A store failure leaves the message without it
// and is logged.
func (e *Engine) feedbackID(ctx context.Context, m *message) {
	d := &m.f.Decree
	if e.opt.FeedbackIDs == nil || ctx.Err() != nil || d.Direction != txn.DirectionOutbound || !d.Advertising ||
		d.Advertiser == "" || len(m.t.Rcpts) != 1 || len(m.t.HeaderValues("Feedback-ID")) > 0 {
		return
	}
	m.run(ctx, step{"feedback_id", func(ctx context.Context, m *message) error {
		v, err := e.opt.FeedbackIDs.NewFeedbackID(ctx, rcptKey(m.t.Rcpts[0]), d.Advertiser, time.Now())
		if err != nil {
			e.opt.Logger.Warn("feedback-id not recorded: sent without one", "queue_id", m.t.QueueID, "error", err.Error())
			return nil
		}
		m.f.FeedbackID = v
		return nil
	}})
}
