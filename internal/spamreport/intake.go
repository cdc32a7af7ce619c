package spamreport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"milter91/internal/arf"
	"milter91/internal/mailmsg"
	"milter91/internal/registry"
	"milter91/internal/txn"
)

// Refusals records refusals (*registry.Store).
type Refusals interface {
	AddRefusal(ctx context.Context, r registry.Refusal) error
}

// FeedbackIDs maps the Feedback-ID field of a message this server sent
// back to its recipients, for the feedback loops that redact the
// recipient (nil: no mapping). An unknown id gives none.
type FeedbackIDs interface {
	Recipients(ctx context.Context, feedbackID string) ([]string, error)
}

// Adder stores a report (*Store).
type Adder interface {
	Add(ctx context.Context, r Record) (int64, error)
}

// Intake takes reports in: it finds the reporting recipient, the
// advertiser and whether the reported message is an ad, records the
// refusal a report about an ad is (Decree 91/2020 Art. 12.1, 13.4), then
// stores the report with its evidence.
type Intake struct {
	Store    Adder
	Refusals Refusals    // nil: reports record no refusal
	Feedback FeedbackIDs // nil: redacted reports stay without recipient
	Logger   *slog.Logger
	Now      func() time.Time
}

// Take takes rep from source (SourceARF or SourceAPI) and returns the
// stored record. recipient, when not "", is the reporting user as the
// caller knows it (the API body); else Original-Rcpt-To, else the
// Feedback-ID mapping. A refusal that the registry refuses (say, an
// advertiser id that is no organizational domain) is logged and the report
// stored without it. Errors: the registry's or the store's failure (the
// report is then not stored: the caller keeps the message).
func (in *Intake) Take(ctx context.Context, source string, rep *arf.Report, recipient string) (Record, error) {
	now := time.Now
	if in.Now != nil {
		now = in.Now
	}
	r := Record{Time: now().UTC().Truncate(time.Millisecond), Source: source, FeedbackType: text(rep.FeedbackType),
		Evidence: rep.Original, Truncated: rep.Truncated, MessageID: text(strings.Trim(rep.HeaderValue("Message-ID"), "<>"))}
	if err := in.findRecipient(ctx, rep, recipient, &r); err != nil {
		return r, err
	}
	r.Sender, r.Advertiser = senderOf(rep)
	r.Ad = isAd(rep)
	if err := in.refuse(ctx, &r); err != nil {
		return r, err
	}
	id, err := in.Store.Add(ctx, r)
	if err != nil {
		return r, err
	}
	r.ID = id
	return r, nil
}

// findRecipient sets r.Recipient and r.RecipientFrom.
func (in *Intake) findRecipient(ctx context.Context, rep *arf.Report, given string, r *Record) error {
	for _, c := range append([]string{given}, rep.OriginalRcptTo...) {
		if a, err := registry.NormalizeAddress(c); err == nil && c != "" {
			r.Recipient, r.RecipientFrom = a, "report"
			return nil
		}
	}
	fid := rep.HeaderValue("Feedback-ID")
	if fid == "" || in.Feedback == nil {
		return nil
	}
	rcpts, err := in.Feedback.Recipients(ctx, fid)
	if err != nil {
		return fmt.Errorf("spamreport: feedback-id: %w", err)
	}
	if len(rcpts) == 1 {
		r.Recipient, r.RecipientFrom = rcpts[0], "feedback-id"
	}
	return nil
}

// refuse records the refusal of a report about an ad (not a "not-spam"
// report) whose recipient and advertiser are known.
func (in *Intake) refuse(ctx context.Context, r *Record) error {
	if !r.Ad || in.Refusals == nil || r.Recipient == "" || r.Advertiser == "" || r.FeedbackType == arf.TypeNotSpam {
		return nil
	}
	channel := registry.ChannelEmail
	if r.Source == SourceAPI {
		channel = registry.ChannelAPI
	}
	evidence := fmt.Sprintf("spam report (%s, feedback-type %s) at %s, Message-ID <%s>", r.Source, r.FeedbackType,
		r.Time.Format(time.RFC3339), r.MessageID)
	err := in.Refusals.AddRefusal(ctx, registry.Refusal{Advertiser: r.Advertiser, Recipient: r.Recipient,
		Scope: registry.ScopeAll, Time: r.Time, Channel: channel, Evidence: clipText(evidence, 2048), LastUsedAt: r.Time})
	switch {
	case err == nil:
		r.Refused = true
	case errors.Is(err, registry.ErrInvalid):
		if in.Logger != nil {
			in.Logger.Warn("spam report: refusal not recorded", "advertiser", r.Advertiser, "rcpt", r.Recipient, "error", err.Error())
		}
	default:
		return err
	}
	return nil
}

// senderOf returns the reported message's From address (else the
// envelope sender) and its advertiser id: the organizational domain of
// that address's domain.
func senderOf(rep *arf.Report) (sender, advertiser string) {
	if v := rep.View(); v != nil {
		if addrs := v.From.Addrs(); len(addrs) == 1 {
			sender = addrs[0]
		}
	}
	if sender == "" {
		sender = rep.OriginalMailFrom
	}
	sender = text(strings.ToLower(sender))
	i := strings.LastIndexByte(sender, '@')
	if i < 0 {
		return sender, ""
	}
	d, err := mailmsg.ParseDomain(sender[i+1:])
	if err != nil {
		return sender, ""
	}
	if org, ok := mailmsg.OrgDomain(d); ok {
		return sender, org.ASCII
	}
	return sender, ""
}

// isAd reports whether the reported message is an advertising email by
// what its header shows: the X-Decree91 header this server put on an ad
// it delivered, a List-Unsubscribe field (RFC 2369), or an ad label at
// the start of the Subject (Art. 18).
func isAd(rep *arf.Report) bool {
	if strings.HasPrefix(strings.ToLower(rep.HeaderValue("X-Decree91")), "ad") || rep.HeaderValue("List-Unsubscribe") != "" {
		return true
	}
	v := rep.View()
	if v == nil {
		return false
	}
	s := strings.ToUpper(strings.TrimSpace(v.Subject))
	return strings.HasPrefix(s, "[QC]") || strings.HasPrefix(s, "[AD]")
}

// text makes s storable: valid UTF-8, no NUL, at most 1 KiB.
func text(s string) string {
	return clipText(strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", ""), 1024)
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// Service is an Intake with the Store it writes to: what the admin API
// takes reports in and lists them with.
type Service struct {
	Intake
	Reports *Store
}

// List is Store.List.
func (s *Service) List(ctx context.Context, since, until time.Time, after int64, limit int) ([]Record, error) {
	return s.Reports.List(ctx, since, until, after, limit)
}

// TakeMessage takes in the feedback report msg is (the engine's
// ReportIntake): a message that is no RFC 5965 report is answered with
// Stored false and the reason. Errors: Take's.
func (s *Service) TakeMessage(ctx context.Context, msg io.Reader) (txn.SpamReport, error) {
	rep, err := arf.Parse(msg)
	if err != nil {
		return txn.SpamReport{Problem: err.Error()}, nil
	}
	rec, err := s.Take(ctx, SourceARF, rep, "")
	if err != nil {
		return txn.SpamReport{}, err
	}
	return txn.SpamReport{Stored: true, ID: rec.ID, FeedbackType: rec.FeedbackType, Recipient: rec.Recipient,
		Advertiser: rec.Advertiser, Refused: rec.Refused}, nil
}
