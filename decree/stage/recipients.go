package stage

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// checkRecipients asks the registry about each recipient of an
// advertising email and reserves its send (Art. 13.5), in envelope order;
// on an error it stops, the reservations made so far in sends.
func (s *Stage) checkRecipients(ctx context.Context, in Input, advertiser, direction string, now time.Time, sends *Sends) ([]txn.DecreeRecipient, error) {
	reg := s.opt.Registry
	products := productIDs(in.Msg, s.opt.ProductHeaders)
	var out []txn.DecreeRecipient
	for _, rcpt := range in.Txn.Rcpts {
		// The registry's errors name it ("registry: …") already.
		r, err := reg.Recipient(ctx, advertiser, rcpt, products, now)
		if err != nil {
			return nil, err
		}
		sent, release, err := reg.ReserveSend(ctx, advertiser, rcpt, direction, r.Cap, now)
		if err != nil {
			return nil, err
		}
		r.Rcpt, r.Sent24h = rcpt, sent
		out = append(out, r)
		if release != nil {
			sends.list = append(sends.list, reservation{rcpt: rcpt, release: release})
		}
	}
	return out, nil
}

// release undoes reservations, with its own short context: the message's
// may have run out.
func (s *Stage) release(queueID string, res []reservation) {
	if len(res) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, r := range res {
		if err := r.release(ctx); err != nil {
			s.opt.Logger.Error("registry release failed", "queue_id", queueID, "rcpt", r.rcpt, "error", err.Error())
		}
	}
}

// captureRefusals: a local user writing to a refusal mailbox that an
// earlier ad named refuses that advertiser (Art. 20.3), effective at once.
func (s *Stage) captureRefusals(ctx context.Context, t *txn.Transaction, now time.Time) {
	sender := t.MailFrom
	if strings.Contains(t.AuthUser, "@") {
		sender = t.AuthUser
	}
	if sender == "" {
		return
	}
	for _, rcpt := range t.Rcpts {
		advs, err := s.opt.Registry.CaptureRefusal(ctx, sender, rcpt, now)
		if err != nil {
			// Rate-limited like the lookups; a capture lost in an outage is
			// not retried (README "Reliability").
			s.storeLog.Note(now, "capture", 1, "refusal capture failed", slog.String("queue_id", t.QueueID),
				slog.String("sender", sender), slog.String("rcpt", rcpt), slog.String("error", err.Error()))
			continue
		}
		for _, a := range advs {
			s.opt.Logger.Info("refusal captured", "queue_id", t.QueueID, "recipient", sender, "advertiser", a, "via", rcpt)
		}
	}
}

// productIDs are the unfolded, trimmed values of the product headers
// (Art. 13.4 product-scoped refusals).
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
