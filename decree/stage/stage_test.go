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
	reserved      []string
	released      []string
	recorded      []string
	boxes         [][]string // the mailboxes of each RecordRefusalMailboxes
	hasConsents   bool
	refused       bool // every recipient refused
}

func (r *registry) Recipient(_ context.Context, _, rcpt string, _ []string, _ time.Time) (txn.DecreeRecipient, error) {
	r.calls++
	if r.calls == r.failAt {
		return txn.DecreeRecipient{}, errors.New("registry: connection refused")
	}
	return txn.DecreeRecipient{Cap: 3, Refused: r.refused}, nil
}

func (r *registry) ReserveSend(_ context.Context, _, rcpt, _ string, _ int, _ func() time.Time) (int, func(context.Context) error, error) {
	r.reserved = append(r.reserved, rcpt)
	return 0, func(context.Context) error { r.released = append(r.released, rcpt); return nil }, nil
}

func (r *registry) RecordRefusalMailboxes(_ context.Context, _, rcpt string, boxes []string, _ time.Time) error {
	r.recorded = append(r.recorded, rcpt)
	r.boxes = append(r.boxes, boxes)
	return nil
}

func (r *registry) HasConsents(context.Context, string) (bool, error) { return r.hasConsents, nil }

func (r *registry) CaptureRefusal(context.Context, string, string, time.Time) ([]string, error) {
	return nil, nil
}

var ad = txn.DecreeAnalysis{Advertising: true, Grade: txn.GradeCertain, Advertiser: "example.com", RefusalMailboxes: []string{"unsub@example.com"}}

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

// A message sent again (the client dropped after the final dot) is not
// counted twice against the 24 h cap: the recipients it was counted for
// reserve no send, the others do.
func TestRunCountedOnce(t *testing.T) {
	reg := &registry{}
	s := New(Options{Analyzer: analyzer{a: ad}, Registry: reg, Directions: Directions{Default: txn.DirectionOutbound}})
	in := input("a@example.net", "b@example.net")
	in.Counted = func(rcpt string) bool { return rcpt == "a@example.net" }
	d, sends, err := s.Run(context.Background(), in)
	if err != nil || len(d.Recipients) != 2 || d.Recipients[0].Rcpt != "a@example.net" || d.Recipients[0].Cap != 3 {
		t.Fatalf("Run = %+v, %v", d, err)
	}
	if !slices.Equal(reg.reserved, []string{"b@example.net"}) {
		t.Errorf("reserved %v, want only b@example.net", reg.reserved)
	}
	s.Finish("Q2", in.Txn.Rcpts, &d, sends, false, nil)
	if !slices.Equal(reg.released, []string{"b@example.net"}) {
		t.Errorf("released %v, want only b@example.net", reg.released)
	}
}

// A likely ad is marked and logged, never counted against the cap or
// checked for consent and refusal: the registry is not asked.
func TestRunLikelyAdSkipsRegistry(t *testing.T) {
	reg := &registry{}
	likely := ad
	likely.Grade = txn.GradeLikely
	s := New(Options{Analyzer: analyzer{a: likely}, Registry: reg, Directions: Directions{Default: txn.DirectionOutbound}})
	d, sends, err := s.Run(context.Background(), input("a@example.net"))
	if err != nil || d.Recipients != nil || reg.calls != 0 || !d.Advertising {
		t.Errorf("Run = %+v, %v; registry calls %d, want none", d, err, reg.calls)
	}
	d.Direction = txn.DirectionInbound
	s.Finish("Q1", []string{"a@example.net"}, &d, sends, true, nil)
	if len(reg.recorded) != 0 {
		t.Errorf("refusal mailboxes of a likely ad recorded for %v", reg.recorded)
	}
}

// The inbound scope (decree91.inbound_scope): by default Vietnamese text or
// a .vn advertiser; outbound is always in scope.
func TestInScope(t *testing.T) {
	for _, tc := range []struct {
		direction string
		an        txn.DecreeAnalysis
		all, want bool
	}{
		{txn.DirectionInbound, txn.DecreeAnalysis{Advertiser: "example.com"}, false, false},
		{txn.DirectionInbound, txn.DecreeAnalysis{Advertiser: "example.com", Vietnamese: true}, false, true},
		{txn.DirectionInbound, txn.DecreeAnalysis{Advertiser: "shop.com.vn"}, false, true},
		{txn.DirectionInbound, txn.DecreeAnalysis{Advertiser: "example.com"}, true, true},
		{txn.DirectionOutbound, txn.DecreeAnalysis{Advertiser: "example.com"}, false, true},
	} {
		if got := InScope(tc.direction, &tc.an, tc.all); got != tc.want {
			t.Errorf("InScope(%s, %+v, all=%v) = %v, want %v", tc.direction, tc.an, tc.all, got, tc.want)
		}
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

func TestHeader(t *testing.T) {
	d := &txn.Decree{Direction: txn.DirectionInbound, DecreeAnalysis: txn.DecreeAnalysis{Advertising: true, Grade: txn.GradeLikely, Label: txn.LabelOK,
		OptOut: true, Channels: []string{"web", "email"}, MissingChannels: []string{"phone"}, Advertiser: "example.com"}}
	h, ok := Header(d)
	want := " ad; direction=inbound; label=ok; optout=yes; channels=web,email; missing=phone; advertiser=example.com; grade=likely"
	if !ok || h.Op != txn.EditAdd || h.Name != HeaderName || h.Value != want {
		t.Errorf("Header = %+v, %v; want %q", h, ok, want)
	}
	if _, ok := Header(&txn.Decree{}); ok {
		t.Error("a message that is not advertising got the header")
	}
}
