package engine

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"time"

	"milter91/decree"
	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// Analyzer is the Decree 91/2020 analysis of one message (package decree).
type Analyzer interface {
	// ReadBody decodes t's text parts as AnalyzeBody needs them, with the
	// first headBytes of each for link extraction too, until ctx ends.
	ReadBody(ctx context.Context, msg *mailmsg.View, body io.Reader, headBytes int) *decree.Body
	// AnalyzeBody returns what the message says about itself, from its
	// header, recipients and body; dkim and the From give the advertiser
	// id.
	AnalyzeBody(msg *mailmsg.View, rcpts []string, body *decree.Body, dkim []txn.DKIM) txn.DecreeAnalysis
}

// Registry is the consent/refusal registry and send counter (package
// registry, adapted in cmd). Every write is durable when the call returns.
type Registry interface {
	// Recipient returns consent, cap and refusal of rcpt for advertiser;
	// products are the message's product identifiers (Art. 13.4 scopes).
	Recipient(ctx context.Context, advertiser, rcpt string, products []string, now time.Time) (txn.DecreeRecipient, error)
	// ReserveSend counts the sends in the 24 h before now and, below cap,
	// records this one atomically; release undoes the record (nil when
	// nothing was recorded). Decree 91/2020 Art. 13.5.
	ReserveSend(ctx context.Context, advertiser, rcpt, direction string, cap int, now time.Time) (sentBefore int, release func(context.Context) error, err error)
	// RecordRefusalMailboxes remembers the refusal mailboxes an inbound ad
	// to recipient named, for refusal capture.
	RecordRefusalMailboxes(ctx context.Context, advertiser, recipient string, mailboxes []string, now time.Time) error
	// CaptureRefusal records a refusal (channel captured) when sender writes
	// to a refusal mailbox an earlier ad to sender named; it returns the
	// advertisers refused.
	CaptureRefusal(ctx context.Context, sender, rcpt string, now time.Time) ([]string, error)
}

// DecreeOptions configure the Decree 91/2020 stage; a nil Analyzer turns
// it off.
type DecreeOptions struct {
	Analyzer Analyzer
	// Registry is nil when no registry is configured: consent, refusal and
	// frequency are then not known and their rules cannot match.
	Registry   Registry
	Directions Directions
	// RemoveFailing deletes the recipients that fail a per-recipient rule
	// when others pass, instead of rejecting the whole message.
	RemoveFailing bool
	// ProductHeaders name headers whose values identify the product.
	ProductHeaders []string
	// DryRun (milter91 check) records nothing: reservations are released
	// at once, no refusal is captured, no mailbox remembered.
	DryRun bool
	// Now returns the current time (time.Now in production).
	Now func() time.Time
}

// reservation is one recorded send, undone when the message or the
// recipient does not go through.
type reservation struct {
	rcpt    string
	release func(context.Context) error
}

// analyseDecree fills f.Decree and returns the sends it reserved.
func (e *Engine) analyseDecree(ctx context.Context, t *txn.Transaction, msg *mailmsg.View, f *txn.Facts, body func() *decree.Body) ([]reservation, error) {
	d := &e.opt.Decree
	f.Decree.Direction = d.Directions.Of(t)
	f.Decree.DecreeAnalysis = d.Analyzer.AnalyzeBody(msg, t.Rcpts, body(), f.DKIM)
	if d.Registry == nil {
		return nil, nil
	}
	now := d.Now()
	if f.Decree.Direction == txn.DirectionOutbound && !d.DryRun {
		e.captureRefusals(ctx, t, now)
	}
	if !f.Decree.Advertising || f.Decree.Advertiser == "" {
		return nil, nil
	}
	res, err := e.checkRecipients(ctx, t, msg, f, now)
	if err != nil {
		// The registry's fail mode is a fact: the rules decide (default:
		// outbound ads tempfail, inbound ads are only tagged).
		e.storeLog.Note(now, "registry", 1, "registry unavailable", slog.String("queue_id", t.QueueID),
			slog.String("advertiser", f.Decree.Advertiser), slog.String("error", err.Error()))
		e.release(t, res)
		f.Decree.Recipients = nil
		f.Decree.RegistryUnavailable = true
		return nil, nil
	}
	e.storeLog.Clear("registry", "registry available again")
	return res, nil
}

// checkRecipients asks the registry about each recipient and reserves its
// send; on an error it returns the reservations made so far.
func (e *Engine) checkRecipients(ctx context.Context, t *txn.Transaction, msg *mailmsg.View, f *txn.Facts, now time.Time) ([]reservation, error) {
	d := &e.opt.Decree
	var res []reservation
	products := productIDs(msg, d.ProductHeaders)
	for _, rcpt := range t.Rcpts {
		// The registry's errors name it ("registry: …") already.
		r, err := d.Registry.Recipient(ctx, f.Decree.Advertiser, rcpt, products, now)
		if err != nil {
			return res, err
		}
		sent, release, err := d.Registry.ReserveSend(ctx, f.Decree.Advertiser, rcpt, f.Decree.Direction, r.Cap, now)
		if err != nil {
			return res, err
		}
		r.Rcpt, r.Sent24h = rcpt, sent
		f.Decree.Recipients = append(f.Decree.Recipients, r)
		if release != nil {
			res = append(res, reservation{rcpt: rcpt, release: release})
		}
	}
	return res, nil
}

// release undoes reservations, with its own short context: the message's
// may have run out.
func (e *Engine) release(t *txn.Transaction, res []reservation) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, r := range res {
		if err := r.release(ctx); err != nil {
			e.opt.Logger.Error("registry release failed", "queue_id", t.QueueID, "rcpt", r.rcpt, "error", err.Error())
		}
	}
}

// captureRefusals: a local user writing to a refusal mailbox that an
// earlier ad named refuses that advertiser (Art. 20.3), effective at once.
func (e *Engine) captureRefusals(ctx context.Context, t *txn.Transaction, now time.Time) {
	sender := t.MailFrom
	if strings.Contains(t.AuthUser, "@") {
		sender = t.AuthUser
	}
	if sender == "" {
		return
	}
	for _, rcpt := range t.Rcpts {
		advs, err := e.opt.Decree.Registry.CaptureRefusal(ctx, sender, rcpt, now)
		if err != nil {
			// Rate-limited like the lookups; a capture lost in an outage is
			// not retried (README "Reliability").
			e.storeLog.Note(now, "capture", 1, "refusal capture failed", slog.String("queue_id", t.QueueID),
				slog.String("sender", sender), slog.String("rcpt", rcpt), slog.String("error", err.Error()))
			continue
		}
		for _, a := range advs {
			e.opt.Logger.Info("refusal captured", "queue_id", t.QueueID, "recipient", sender, "advertiser", a, "via", rcpt)
		}
	}
}

// finishDecree keeps the sends of recipients that got the message and
// releases the others; for accepted inbound ads it remembers the refusal
// mailboxes. Release and record use their own short context: ctx may have
// run out.
func (e *Engine) finishDecree(t *txn.Transaction, f *txn.Facts, res []reservation, accepted bool, removed map[string]bool) {
	d := &e.opt.Decree
	var undo []reservation
	for _, r := range res {
		if !accepted || removed[r.rcpt] || d.DryRun {
			undo = append(undo, r)
		}
	}
	e.release(t, undo)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	an := &f.Decree.DecreeAnalysis
	if !accepted || d.DryRun || d.Registry == nil || !an.Advertising || f.Decree.Direction != txn.DirectionInbound ||
		len(an.RefusalMailboxes) == 0 || an.Advertiser == "" {
		return
	}
	for _, rcpt := range t.Rcpts {
		if removed[rcpt] {
			continue
		}
		if err := d.Registry.RecordRefusalMailboxes(ctx, an.Advertiser, rcpt, an.RefusalMailboxes, d.Now()); err != nil {
			e.opt.Logger.Error("registry record failed", "queue_id", t.QueueID, "rcpt", rcpt, "error", err.Error())
		}
	}
}

// productIDs are the unfolded, trimmed values of the product headers.
func productIDs(msg *mailmsg.View, names []string) []string {
	var out []string
	for _, n := range names {
		for _, v := range msg.Values(n) {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}
