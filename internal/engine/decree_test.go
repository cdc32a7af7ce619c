package engine_test

import (
	"context"
	"errors"
	"io"
	"net/netip"
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

func (r *fakeRegistry) ReserveSend(_ context.Context, _, rcpt, _ string, capacity int, _ func() time.Time) (int, func(context.Context) error, error) {
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

func (r *fakeRegistry) HasConsents(context.Context, string) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ok := range r.consent {
		if ok {
			return true, nil
		}
	}
	return false, nil
}

func (r *fakeRegistry) CaptureRefusal(_ context.Context, sender, rcpt string, _ time.Time) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.captured = append(r.captured, sender+">"+rcpt)
	return nil, nil
}

// completeAd is the analysis of an ad that meets every sender duty.
var completeAd = txn.DecreeAnalysis{
	Advertising: true, Grade: txn.GradeCertain, Vietnamese: true, Label: txn.LabelOK,
	OptOut: true, OptOutStatement: true, Signals: []string{"label"},
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

func TestDecreeRemoveRejected(t *testing.T) {
	reg := newFakeRegistry()
	reg.consent["ok@example.net"] = true
	e := decreeEngine(t, completeAd, reg, func(o *stage.Options) { o.MultiRecipient = stage.MultiRemoveRejected })
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

// remove_refused (the default): the recipient who refused the advertiser
// is removed, the other gets the message with a header saying one was
// removed; the log line and the archive name the rule; a forged
// X-Decree91-Removed is deleted.
func TestDecreeRemoveRefused(t *testing.T) {
	reg := newFakeRegistry()
	reg.consent["ok@example.net"], reg.consent["refused@example.net"] = true, true
	reg.refused["refused@example.net"] = true
	e := decreeEngine(t, completeAd, reg, func(o *stage.Options) { o.MultiRecipient = stage.MultiRemoveRefused })
	tr := outbound(t, "ok@example.net", "refused@example.net")
	tr.Headers = append(tr.Headers, txn.Header{Name: "X-Decree91-Removed", Value: " 0 recipients; forged"})
	out := mustEvaluate(t, e, tr)
	if out.Verdict.Action != txn.ActionAccept || !slices.Equal(out.RemoveRcpts, []string{"refused@example.net"}) {
		t.Fatalf("action %v removed %v, want accept with refused@example.net removed", out.Verdict.Action, out.RemoveRcpts)
	}
	if !slices.Contains(out.Verdict.RuleIDs(), "D91_OUT_REFUSED") {
		t.Errorf("rules %v lack D91_OUT_REFUSED", out.Verdict.RuleIDs())
	}
	var added, deleted int
	for _, h := range out.Edits {
		switch {
		case h.Name == stage.RemovedHeaderName && h.Op == txn.EditAdd && strings.Contains(h.Value, "1 recipient; rules=D91_OUT_REFUSED"):
			added++
		case strings.EqualFold(h.Name, stage.RemovedHeaderName) && h.Op == txn.EditDelete:
			deleted++
		}
	}
	if added != 1 || deleted != 1 {
		t.Errorf("edits %+v: want the forged header deleted and ours added", out.Edits)
	}
	if reg.sent["ok@example.net"] != 1 || reg.sent["refused@example.net"] != 0 {
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
	// A labelled compliant ad is marked as an ad, not as spam.
	if out.Verdict.Action != txn.ActionAccept || out.Verdict.Score != 0 || len(out.Verdict.RuleIDs()) != 0 {
		t.Fatalf("labelled inbound ad: %v score %v %v", out.Verdict.Action, out.Verdict.Score, out.Verdict.RuleIDs())
	}
	hs := edits(out, txn.EditAdd, "X-Decree91")
	if len(hs) != 1 || !strings.Contains(hs[0].Value, "direction=inbound; label=ok") || !strings.Contains(hs[0].Value, "grade=certain") {
		t.Errorf("X-Decree91 = %+v", hs)
	}
	if got := reg.mailboxes["bob@example.net"]; len(got) != 1 || got[0] != "unsub@example.com" {
		t.Errorf("refusal mailboxes recorded = %v", got)
	}
	reg.refused["bob@example.net"] = true
	out = mustEvaluate(t, e, transaction(t, plainMessage))
	// Spam (Art. 3.4.a): tagged by default, rejecting it is policy.
	if out.Verdict.Action != txn.ActionTag || !matched(out.Verdict, "D91_IN_REFUSED") {
		t.Errorf("refused advertiser: %v %v, want tag", out.Verdict.Action, out.Verdict.RuleIDs())
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

// At RCPT, for an envelope sender declared to send only ads, the shipped
// D91_OUT_REFUSED_RCPT refuses the recipient who refused the advertiser
// alone; another recipient, or an undeclared sender, is no decision; the
// engine then asks the MTA for RCPT replies.
func TestDecreeEarlyRcptRefused(t *testing.T) {
	reg := newFakeRegistry()
	reg.refused["refused@example.net"] = true
	e := decreeEngine(t, completeAd, reg, func(o *stage.Options) { o.AdSenders = []string{"ads.example.com"} })
	if !e.RejectsEarly() {
		t.Fatal("RejectsEarly false with ad envelope senders and a registry")
	}
	conn := txn.Conn{ClientIP: netip.MustParseAddr("127.0.0.1")}
	out := e.EarlyRcpt(context.Background(), conn, "alice", "bounce@ads.example.com", "refused@example.net")
	if out == nil || out.Verdict.Action != txn.ActionReject || out.Verdict.Reply.Code != 550 ||
		!strings.Contains(out.Verdict.Reply.Text, "refused@example.net") || !strings.Contains(out.Verdict.Reply.Text, "Art. 13.4") ||
		!slices.Contains(out.Verdict.RuleIDs(), "D91_OUT_REFUSED_RCPT") {
		t.Fatalf("refused recipient: %+v, want the 550 of D91_OUT_REFUSED_RCPT", out)
	}
	for _, tc := range []struct{ from, rcpt string }{
		{"bounce@ads.example.com", "ok@example.net"},
		{"news@example.com", "refused@example.net"},
	} {
		if out := e.EarlyRcpt(context.Background(), conn, "alice", tc.from, tc.rcpt); out != nil {
			t.Errorf("%s → %s: %+v, want no decision", tc.from, tc.rcpt, out.Verdict)
		}
	}
}
