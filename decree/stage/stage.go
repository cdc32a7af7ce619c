// Package stage is the Decree 91/2020 step of the pipeline: the direction
// of a message (inbound ads reaching local users, outbound ads leaving),
// its analysis (package decree: label, opt-out block, advertiser
// information, advertiser id), the registry (consent Art. 11.2, refusal
// Art. 13.4 and 20.3, the 24 h count Art. 13.5), the choice among
// per-recipient verdicts (decree.multi_recipient) and, once the message is
// answered, the bookkeeping (sends kept or released, refusal mailboxes
// remembered). It reads facts and writes facts; the rules decide.
//
// The engine calls it in this order, once per message:
//
//	d, sends, err := st.Run(ctx, in)        // facts: txn.Decree
//	verdicts := rules per d.Recipients      // the engine's rules step
//	v, removed := st.Choose(d.Recipients, verdicts)
//	st.Finish(queueID, rcpts, &d, sends, accepted, removed)
package stage

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"milter91/decree"
	"milter91/internal/mailmsg"
	"milter91/internal/ratelog"
	"milter91/internal/txn"
)

// Analyzer is the Decree 91/2020 analysis of one message (*decree.Analyzer).
type Analyzer interface {
	// ReadBody decodes the text parts of the message with header msg and
	// body as AnalyzeBody needs them, with the first headBytes of each for
	// link extraction too, until ctx ends.
	ReadBody(ctx context.Context, msg *mailmsg.View, body io.Reader, headBytes int) *decree.Body
	// AnalyzeBody returns what the message says about itself, from its
	// header, recipients and body; dkim and the From give the advertiser
	// id.
	AnalyzeBody(msg *mailmsg.View, rcpts []string, body *decree.Body, dkim []txn.DKIM) txn.DecreeAnalysis
}

// Registry is the consent/refusal registry and send counter (package
// internal/registry, adapted by package setup). Every write is durable
// when the call returns.
type Registry interface {
	// Recipient returns consent, cap and refusal of rcpt for advertiser;
	// products are the message's product identifiers (Art. 13.4 scopes).
	Recipient(ctx context.Context, advertiser, rcpt string, products []string, now time.Time) (txn.DecreeRecipient, error)
	// ReserveSend counts the sends in the 24 h before now and, below cap,
	// records this one atomically; release undoes the record (nil when
	// nothing was recorded). Art. 13.5.
	ReserveSend(ctx context.Context, advertiser, rcpt, direction string, cap int, now time.Time) (sentBefore int, release func(context.Context) error, err error)
	// RecordRefusalMailboxes remembers the refusal mailboxes an inbound ad
	// to recipient named, for refusal capture.
	RecordRefusalMailboxes(ctx context.Context, advertiser, recipient string, mailboxes []string, now time.Time) error
	// CaptureRefusal records a refusal (channel captured) when sender writes
	// to a refusal mailbox an earlier ad to sender named; it returns the
	// advertisers refused.
	CaptureRefusal(ctx context.Context, sender, rcpt string, now time.Time) ([]string, error)
}

// Options configure the stage.
type Options struct {
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
	// Now returns the current time (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger
}

// Stage is the Decree 91/2020 step; safe for concurrent use. A nil *Stage
// is the decree turned off.
type Stage struct {
	opt Options
	// storeLog rate-limits the registry's failure lines: an outage at
	// thousands of messages a minute gives one line per registryLogEvery.
	storeLog *ratelog.Log
}

// registryLogEvery is the least time between two lines of one kind of
// registry failure.
const registryLogEvery = 10 * time.Second

// New returns the stage, nil (the decree off) when opt has no Analyzer.
func New(opt Options) *Stage {
	if opt.Analyzer == nil {
		return nil
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Stage{opt: opt, storeLog: ratelog.New(opt.Logger, registryLogEvery, slog.LevelError)}
}

// Input is what the stage reads of one message.
type Input struct {
	Txn *txn.Transaction
	// Msg is Txn's header, parsed once (mailmsg.NewView).
	Msg *mailmsg.View
	// Body returns Txn's text parts, decoded once (by ReadBody).
	Body func() *decree.Body
	// DKIM are the message's DKIM results, for the advertiser id.
	DKIM []txn.DKIM
}

// ReadBody decodes the text parts of the message as the analysis needs
// them, and the first headBytes of each for the links (see decree.ReadBody).
func (s *Stage) ReadBody(ctx context.Context, msg *mailmsg.View, body io.Reader, headBytes int) *decree.Body {
	return s.opt.Analyzer.ReadBody(ctx, msg, body, headBytes)
}

// Run computes the Decree 91/2020 facts of one message: the direction,
// the analysis and, for an advertising email with a registry, each
// recipient's consent, refusal and 24 h count, reserving its send
// (Art. 13.5). Sends lists the reservations Finish keeps or releases. A
// registry failure is no error: it is the fact RegistryUnavailable (the
// rules decide: by default outbound ads wait, inbound ones are only
// tagged). err is an internal fault (a panic in the analysis): the facts
// are then empty, and every send reserved before it is released.
func (s *Stage) Run(ctx context.Context, in Input) (d txn.Decree, sends *Sends, err error) {
	sends = &Sends{}
	defer func() {
		if r := recover(); r != nil {
			s.release(in.Txn.QueueID, sends.list)
			d, sends, err = txn.Decree{}, &Sends{}, fmt.Errorf("decree91: %v", r)
		}
	}()
	d.Direction = s.opt.Directions.Of(in.Txn)
	d.DecreeAnalysis = s.opt.Analyzer.AnalyzeBody(in.Msg, in.Txn.Rcpts, in.Body(), in.DKIM)
	if s.opt.Registry == nil {
		return d, sends, nil
	}
	now := s.opt.Now()
	if d.Direction == txn.DirectionOutbound && !s.opt.DryRun {
		s.captureRefusals(ctx, in.Txn, now)
	}
	if !d.Advertising || d.Advertiser == "" {
		return d, sends, nil
	}
	d.Recipients, err = s.checkRecipients(ctx, in, d.Advertiser, d.Direction, now, sends)
	if err != nil {
		s.storeLog.Note(now, "registry", 1, "registry unavailable", slog.String("queue_id", in.Txn.QueueID),
			slog.String("advertiser", d.Advertiser), slog.String("error", err.Error()))
		s.release(in.Txn.QueueID, sends.list)
		sends.list = nil
		d.Recipients, d.RegistryUnavailable = nil, true
		return d, sends, nil
	}
	s.storeLog.Clear("registry", "registry available again")
	return d, sends, nil
}

// Sends are the sends one message reserved (Art. 13.5), kept or released
// by Finish.
type Sends struct {
	list []reservation
}

// reservation is one recorded send, undone when the message or the
// recipient does not go through.
type reservation struct {
	rcpt    string
	release func(context.Context) error
}

// Finish is called once the message is answered: it keeps the sends of
// the recipients that got the message (accepted, not removed) and
// releases the others, and for an accepted inbound ad remembers the
// refusal mailboxes it named for each recipient (Art. 20.3 capture).
// Release and record use their own short context: the message's may have
// run out. A nil stage does nothing.
func (s *Stage) Finish(queueID string, rcpts []string, d *txn.Decree, sends *Sends, accepted bool, removed map[string]bool) {
	if s == nil {
		return
	}
	var undo []reservation
	if sends != nil {
		for _, r := range sends.list {
			if !accepted || removed[r.rcpt] || s.opt.DryRun {
				undo = append(undo, r)
			}
		}
	}
	s.release(queueID, undo)
	an := &d.DecreeAnalysis
	if !accepted || s.opt.DryRun || s.opt.Registry == nil || !an.Advertising || d.Direction != txn.DirectionInbound ||
		len(an.RefusalMailboxes) == 0 || an.Advertiser == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, rcpt := range rcpts {
		if removed[rcpt] {
			continue
		}
		if err := s.opt.Registry.RecordRefusalMailboxes(ctx, an.Advertiser, rcpt, an.RefusalMailboxes, s.opt.Now()); err != nil {
			s.opt.Logger.Error("registry record failed", "queue_id", queueID, "rcpt", rcpt, "error", err.Error())
		}
	}
}
