package stage

import (
	"context"
	"errors"
	"io"
	"slices"
	"testing"
	"time"

	"milter91/decree"
	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// analyzer returns a fixed analysis, or panics when panics is set.
type analyzer struct {
	a      txn.DecreeAnalysis
	panics bool
}

func (analyzer) ReadBody(context.Context, *mailmsg.View, io.Reader, int) *decree.Body { return nil }

func (f analyzer) AnalyzeBody(*mailmsg.View, []string, *decree.Body, []txn.DKIM) txn.DecreeAnalysis {
	if f.panics {
		panic("test: analysis")
	}
	return f.a
}

// registry reserves every send; failAt makes the n-th Recipient call fail.
type registry struct {
	calls, failAt int
	released      []string
	recorded      []string
}

func (r *registry) Recipient(_ context.Context, _, rcpt string, _ []string, _ time.Time) (txn.DecreeRecipient, error) {
	r.calls++
	if r.calls == r.failAt {
		return txn.DecreeRecipient{}, errors.New("registry: connection refused")
	}
	return txn.DecreeRecipient{Cap: 3}, nil
}

func (r *registry) ReserveSend(_ context.Context, _, rcpt, _ string, _ int, _ time.Time) (int, func(context.Context) error, error) {
	return 0, func(context.Context) error { r.released = append(r.released, rcpt); return nil }, nil
}

func (r *registry) RecordRefusalMailboxes(_ context.Context, _, rcpt string, _ []string, _ time.Time) error {
	r.recorded = append(r.recorded, rcpt)
	return nil
}

func (r *registry) CaptureRefusal(context.Context, string, string, time.Time) ([]string, error) {
	return nil, nil
}

var ad = txn.DecreeAnalysis{Advertising: true, Advertiser: "example.com", RefusalMailboxes: []string{"unsub@example.com"}}

func input(rcpts ...string) Input {
	t := &txn.Transaction{Rcpts: rcpts}
	return Input{Txn: t, Msg: mailmsg.NewView(nil), Body: func() *decree.Body { return nil }}
}

// Run reserves a send per recipient; Finish keeps those of an accepted
// message's remaining recipients and records the refusal mailboxes for
// them, and releases the others.
func TestRunAndFinish(t *testing.T) {
	reg := &registry{}
	s := New(Options{Analyzer: analyzer{a: ad}, Registry: reg, Directions: Directions{Default: txn.DirectionInbound}})
	d, sends, err := s.Run(context.Background(), input("a@example.net", "b@example.net"))
	if err != nil || d.Direction != txn.DirectionInbound || len(d.Recipients) != 2 || d.Recipients[1].Rcpt != "b@example.net" {
		t.Fatalf("Run = %+v, %v", d, err)
	}
	s.Finish("Q1", []string{"a@example.net", "b@example.net"}, &d, sends, true, map[string]bool{"b@example.net": true})
	if !slices.Equal(reg.released, []string{"b@example.net"}) || !slices.Equal(reg.recorded, []string{"a@example.net"}) {
		t.Errorf("released %v recorded %v, want b released, a recorded", reg.released, reg.recorded)
	}
}

// A registry failure is the fact RegistryUnavailable, not an error, and
// the sends reserved before it are released at once.
func TestRunRegistryDown(t *testing.T) {
	reg := &registry{failAt: 2}
	s := New(Options{Analyzer: analyzer{a: ad}, Registry: reg})
	d, sends, err := s.Run(context.Background(), input("a@example.net", "b@example.net"))
	if err != nil || !d.RegistryUnavailable || d.Recipients != nil || !slices.Equal(reg.released, []string{"a@example.net"}) {
		t.Errorf("Run = %+v, %v; released %v", d, err, reg.released)
	}
	s.Finish("Q1", nil, &d, sends, true, nil)
	if len(reg.released) != 1 {
		t.Errorf("released twice: %v", reg.released)
	}
}

// A panic in the analysis is an error, never a crash, and leaves no facts.
func TestRunPanicIsAnError(t *testing.T) {
	s := New(Options{Analyzer: analyzer{panics: true}})
	d, _, err := s.Run(context.Background(), input("a@example.net"))
	if err == nil || d.Advertising || d.Direction != "" {
		t.Errorf("Run = %+v, %v; want an error and no facts", d, err)
	}
	if New(Options{}) != nil {
		t.Error("New without an analyzer is not the decree turned off")
	}
	var off *Stage
	off.Finish("Q1", nil, &d, nil, true, nil) // a nil stage does nothing
}

func TestChoose(t *testing.T) {
	rcpts := []txn.DecreeRecipient{{Rcpt: "a"}, {Rcpt: "b"}, {Rcpt: "c"}}
	verdicts := []txn.Verdict{{Action: txn.ActionAccept}, {Action: txn.ActionReject}, {Action: txn.ActionTag, Score: 5}}
	all := New(Options{Analyzer: analyzer{}})
	if v, removed := all.Choose("Q", rcpts, verdicts); v.Action != txn.ActionReject || removed != nil {
		t.Errorf("reject_all: %v %v, want reject, none removed", v.Action, removed)
	}
	some := New(Options{Analyzer: analyzer{}, RemoveFailing: true})
	if v, removed := some.Choose("Q", rcpts, verdicts); v.Action != txn.ActionTag || len(removed) != 1 || !removed["b"] {
		t.Errorf("remove_failing: %v %v, want tag with b removed", v.Action, removed)
	}
	failing := []txn.Verdict{{Action: txn.ActionTempfail}, {Action: txn.ActionReject}, {Action: txn.ActionReject, Score: 1}}
	if v, removed := some.Choose("Q", rcpts, failing); v.Action != txn.ActionReject || v.Score != 1 || removed != nil {
		t.Errorf("all failing: %v %v %v, want the worst reject, none removed", v.Action, v.Score, removed)
	}
}

func TestHeader(t *testing.T) {
	d := &txn.Decree{Direction: txn.DirectionInbound, DecreeAnalysis: txn.DecreeAnalysis{Advertising: true, Label: txn.LabelOK,
		OptOut: true, Channels: []string{"web", "email"}, MissingChannels: []string{"phone"}, Advertiser: "example.com"}}
	h, ok := Header(d)
	want := " ad; direction=inbound; label=ok; optout=yes; channels=web,email; missing=phone; advertiser=example.com"
	if !ok || h.Op != txn.EditAdd || h.Name != HeaderName || h.Value != want {
		t.Errorf("Header = %+v, %v; want %q", h, ok, want)
	}
	if _, ok := Header(&txn.Decree{}); ok {
		t.Error("a message that is not advertising got the header")
	}
}
