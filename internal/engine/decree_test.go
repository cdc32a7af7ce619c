package engine_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"milter91/decree"
	"milter91/decree/stage"
	"milter91/internal/engine"
	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// fakeAnalyzer returns a fixed analysis.
type fakeAnalyzer struct{ a txn.DecreeAnalysis }

func (f fakeAnalyzer) ReadBody(context.Context, *mailmsg.View, io.Reader, int) *decree.Body {
	return nil
}

func (f fakeAnalyzer) AnalyzeBody(*mailmsg.View, []string, *decree.Body, []txn.DKIM) txn.DecreeAnalysis {
	return f.a
}

// fakeRegistry is an in-memory stage.Registry.
type fakeRegistry struct {
	mu        sync.Mutex
	consent   map[string]bool // rcpt → consent
	refused   map[string]bool
	sent      map[string]int // rcpt → sends in 24 h
	released  []string
	mailboxes map[string][]string // rcpt → mailboxes recorded
	captured  []string            // "sender>rcpt"
	err       error               // returned by Recipient
	errAfter  int                 // > 0: Recipient fails after this many calls
	calls     int
}

func newFakeRegistry() *fakeRegistry {
	return &fakeRegistry{consent: map[string]bool{}, refused: map[string]bool{}, sent: map[string]int{}, mailboxes: map[string][]string{}}
}

func (r *fakeRegistry) Recipient(_ context.Context, _, rcpt string, _ []string, _ time.Time) (txn.DecreeRecipient, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.errAfter > 0 && r.calls > r.errAfter {
		return txn.DecreeRecipient{}, errors.New("registry: connection refused")
	}
	return txn.DecreeRecipient{Rcpt: rcpt, Consent: r.consent[rcpt], Refused: r.refused[rcpt], Cap: 3}, r.err
}

func (r *fakeRegistry) ReserveSend(_ context.Context, _, rcpt, _ string, capacity int, _ time.Time) (int, func(context.Context) error, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.sent[rcpt]
	if n >= capacity {
		return n, nil, nil
	}
	r.sent[rcpt]++
	return n, func(context.Context) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.sent[rcpt]--
		r.released = append(r.released, rcpt)
		return nil
	}, nil
}

func (r *fakeRegistry) RecordRefusalMailboxes(_ context.Context, _, rcpt string, mbs []string, _ time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mailboxes[rcpt] = append(r.mailboxes[rcpt], mbs...)
	return nil
}

func (r *fakeRegistry) CaptureRefusal(_ context.Context, sender, rcpt string, _ time.Time) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.captured = append(r.captured, sender+">"+rcpt)
	return nil, nil
}

// completeAd is the analysis of an ad that meets every sender duty.
var completeAd = txn.DecreeAnalysis{
	Advertising: true, Label: txn.LabelOK, OptOut: true, Signals: []string{"label"},
	Channels: []string{"web", "email", "phone"}, Info: []string{"name", "phone", "email", "address"},
	RefusalMailboxes: []string{"unsub@example.com"}, Advertiser: "example.com",
}

func decreeEngine(t *testing.T, a txn.DecreeAnalysis, reg *fakeRegistry, mut func(*stage.Options)) *engine.Engine {
	t.Helper()
	opt := stage.Options{
		Analyzer:   fakeAnalyzer{a: a},
		Directions: stage.Directions{Default: txn.DirectionInbound, Authenticated: true},
		Now:        func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
	}
	if reg != nil {
		opt.Registry = reg
	}
	if mut != nil {
		mut(&opt)
	}
	return newEngine(t, engine.Options{Resolver: dns("v=spf1 ip4:127.0.0.0/8 -all", ""), SkipAuthenticated: true, Decree: stage.New(opt)})
}

func outbound(t *testing.T, rcpts ...string) *txn.Transaction {
	tr := transaction(t, plainMessage)
	tr.AuthUser = "alice@example.com"
	tr.Rcpts = rcpts
	return tr
}

func TestDecreeOutboundPerRecipient(t *testing.T) {
	reg := newFakeRegistry()
	reg.consent["ok@example.net"] = true
	e := decreeEngine(t, completeAd, reg, nil)
	out := mustEvaluate(t, e, outbound(t, "ok@example.net", "none@example.net"))
	if out.Verdict.Action != txn.ActionReject || !strings.Contains(out.Verdict.Reply.Text, "none@example.net") ||
		!strings.Contains(out.Verdict.Reply.Text, "Art. 11.2") {
		t.Fatalf("verdict = %v %q, want reject naming none@example.net and Art. 11.2", out.Verdict.Action, out.Verdict.Reply)
	}
	if reg.sent["ok@example.net"] != 0 || len(reg.released) != 2 {
		t.Errorf("a rejected message must release every send: sent %v released %v", reg.sent, reg.released)
	}
	if len(out.RemoveRcpts) != 0 {
		t.Errorf("reject_all removed %v", out.RemoveRcpts)
	}
}

func TestDecreeRemoveFailing(t *testing.T) {
	reg := newFakeRegistry()
	reg.consent["ok@example.net"] = true
	e := decreeEngine(t, completeAd, reg, func(o *stage.Options) { o.RemoveFailing = true })
	out := mustEvaluate(t, e, outbound(t, "ok@example.net", "none@example.net"))
	if out.Verdict.Action != txn.ActionAccept {
		t.Fatalf("action = %v (%v), want accept for the passing recipient", out.Verdict.Action, out.Verdict.RuleIDs())
	}
	if len(out.RemoveRcpts) != 1 || out.RemoveRcpts[0] != "none@example.net" {
		t.Errorf("removed = %v, want [none@example.net]", out.RemoveRcpts)
	}
	if reg.sent["ok@example.net"] != 1 || reg.sent["none@example.net"] != 0 {
		t.Errorf("sends = %v: kept for the delivered recipient only", reg.sent)
	}
}

func TestDecreeFrequencyFourthDeferred(t *testing.T) {
	reg := newFakeRegistry()
	reg.consent["u@example.net"] = true
	e := decreeEngine(t, completeAd, reg, nil)
	for i := 1; i <= 4; i++ {
		out := mustEvaluate(t, e, outbound(t, "u@example.net"))
		want := txn.ActionAccept
		if i == 4 {
			want = txn.ActionTempfail
		}
		if out.Verdict.Action != want {
			t.Fatalf("ad %d: action %v (%v), want %v", i, out.Verdict.Action, out.Verdict.RuleIDs(), want)
		}
		if i == 4 && (out.Verdict.Reply.Code != 451 || !strings.Contains(out.Verdict.Reply.Text, "Art. 13.5")) {
			t.Errorf("4th reply = %q", out.Verdict.Reply)
		}
	}
	if reg.sent["u@example.net"] != 3 {
		t.Errorf("sends = %d, want 3", reg.sent["u@example.net"])
	}
}

func TestDecreeInbound(t *testing.T) {
	reg := newFakeRegistry()
	e := decreeEngine(t, completeAd, reg, nil)
	tr := transaction(t, plainMessage)
	out := mustEvaluate(t, e, tr)
	if out.Verdict.Action != txn.ActionAccept {
		t.Fatalf("labelled inbound ad: %v %v", out.Verdict.Action, out.Verdict.RuleIDs())
	}
	hs := edits(out, txn.EditAdd, "X-Decree91")
	if len(hs) != 1 || !strings.Contains(hs[0].Value, "direction=inbound; label=ok") {
		t.Errorf("X-Decree91 = %+v", hs)
	}
	if got := reg.mailboxes["bob@example.net"]; len(got) != 1 || got[0] != "unsub@example.com" {
		t.Errorf("refusal mailboxes recorded = %v", got)
	}
	reg.refused["bob@example.net"] = true
	out = mustEvaluate(t, e, transaction(t, plainMessage))
	if out.Verdict.Action != txn.ActionReject || !matched(out.Verdict, "D91_IN_REFUSED") {
		t.Errorf("refused advertiser: %v %v", out.Verdict.Action, out.Verdict.RuleIDs())
	}
}

func TestDecreeCaptureAndDryRun(t *testing.T) {
	reg := newFakeRegistry()
	notAd := txn.DecreeAnalysis{Label: txn.LabelMissing}
	mustEvaluate(t, decreeEngine(t, notAd, reg, nil), outbound(t, "unsub@example.com"))
	if len(reg.captured) != 1 || reg.captured[0] != "alice@example.com>unsub@example.com" {
		t.Errorf("captured = %v", reg.captured)
	}
	reg.consent["u@example.net"] = true
	dry := decreeEngine(t, completeAd, reg, func(o *stage.Options) { o.DryRun = true })
	out := mustEvaluate(t, dry, outbound(t, "u@example.net"))
	if out.Verdict.Action != txn.ActionAccept || reg.sent["u@example.net"] != 0 || len(reg.captured) != 1 {
		t.Errorf("dry run recorded: action %v sent %v captured %v", out.Verdict.Action, reg.sent, reg.captured)
	}
}

// TestDecreeRegistryUnavailable: a failing registry is a fact, not a fault;
// the default rules defer outbound ads and only tag inbound ones, and the
// sends reserved before the failure are released.
func TestDecreeRegistryUnavailable(t *testing.T) {
	reg := newFakeRegistry()
	reg.errAfter = 1 // the second recipient's lookup fails
	out, err := evaluate(t, decreeEngine(t, completeAd, reg, nil), outbound(t, "u@example.net", "v@example.net"))
	if err != nil {
		t.Fatalf("err = %v, want none (fail mode by rule)", err)
	}
	v := out.Verdict
	if v.Action != txn.ActionTempfail || v.Reply.Code != 451 || v.Reply.Enhanced != "4.3.0" ||
		!slices.Contains(v.RuleIDs(), "D91_OUT_REGISTRY_DOWN") {
		t.Errorf("outbound verdict %v %v rules %v; want tempfail 451 4.3.0 by D91_OUT_REGISTRY_DOWN", v.Action, v.Reply, v.RuleIDs())
	}
	if !out.Facts.Decree.RegistryUnavailable || len(out.Facts.Decree.Recipients) != 0 {
		t.Errorf("facts: unavailable %v recipients %v", out.Facts.Decree.RegistryUnavailable, out.Facts.Decree.Recipients)
	}
	if reg.sent["u@example.net"] != 0 || !slices.Equal(reg.released, []string{"u@example.net"}) {
		t.Errorf("reservation before the failure kept: sent %v released %v", reg.sent, reg.released)
	}

	in := newFakeRegistry()
	in.err = errors.New("connection refused")
	out, err = evaluate(t, decreeEngine(t, completeAd, in, nil), transaction(t, plainMessage))
	if err != nil || out.Verdict.Action > txn.ActionQuarantine || !out.Facts.Decree.RegistryUnavailable {
		t.Errorf("inbound: err %v action %v unavailable %v; want delivered, fact set", err, out.Verdict.Action,
			out.Facts.Decree.RegistryUnavailable)
	}
}
