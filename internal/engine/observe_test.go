package engine_test

import (
	"strings"
	"testing"
	"time"

	"milter91/decree/stage"
	"milter91/internal/engine"
	"milter91/internal/txn"
)

// TestObserveListedClient: a client the blocklist lists is rejected in
// enforce mode; in observe mode (globally, or by listener or daemon name)
// the verdict stays the reject, the outcome is marked Observed, and the
// edits are an accepted message's plus X-Milter91-Would with the reply.
func TestObserveListedClient(t *testing.T) {
	const listener, daemon = "inet:127.0.0.1:8891", "ORIGINATING"
	tests := []struct {
		name    string
		modes   engine.Modes
		observe bool
	}{
		{name: "enforce", observe: false},
		{name: "global observe", modes: engine.Modes{Observe: true}, observe: true},
		{name: "listener observes", modes: engine.Modes{Listeners: map[string]bool{listener: true}}, observe: true},
		{name: "daemon name enforces over global observe", modes: engine.Modes{Observe: true,
			DaemonNames: map[string]bool{daemon: false}}, observe: false},
		{name: "daemon name observes over listener enforce", modes: engine.Modes{
			Listeners: map[string]bool{listener: false}, DaemonNames: map[string]bool{daemon: true}}, observe: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := listedEngine(t, "v=spf1 ip4:127.0.0.0/8 -all", engine.Options{Modes: tc.modes})
			tr := transaction(t, plainMessage)
			tr.Conn.Listener, tr.Conn.DaemonName = listener, daemon
			out := mustEvaluate(t, e, tr)
			if out.Verdict.Action != txn.ActionReject {
				t.Fatalf("verdict %v, want the reject computed in either mode", out.Verdict.Action)
			}
			if out.Observed != tc.observe {
				t.Fatalf("Observed = %v, want %v", out.Observed, tc.observe)
			}
			would := edits(out, txn.EditAdd, engine.WouldHeader)
			ar := edits(out, txn.EditInsert, "Authentication-Results")
			if !tc.observe {
				if len(would) != 0 || len(out.Edits) != 0 {
					t.Errorf("enforced reject has edits %+v", out.Edits)
				}
				return
			}
			want := " reject 554 5.7.1 Service unavailable; client [127.0.0.2] blocked using bl.example.test; score="
			if len(would) != 1 || !strings.HasPrefix(would[0].Value, want) || !strings.Contains(would[0].Value, "rules=DNSBL_LISTED") {
				t.Errorf("%s = %+v, want one starting %q naming DNSBL_LISTED", engine.WouldHeader, would, want)
			}
			if len(ar) != 1 {
				t.Errorf("Authentication-Results edits %+v, want the one of an accepted message", ar)
			}
		})
	}
}

// TestObserveForgedWouldDeleted: an accept is not announced and
// an upstream X-Milter91-Would is deleted, so no sender can plant one.
func TestObserveForgedWouldDeleted(t *testing.T) {
	e := newEngine(t, engine.Options{Resolver: dns("v=spf1 ip4:127.0.0.0/8 -all", ""), Modes: engine.Modes{Observe: true}})
	tr := transaction(t, "X-Milter91-Would: accept\r\n"+plainMessage)
	out := mustEvaluate(t, e, tr)
	if !out.Observed || out.Verdict.Action != txn.ActionAccept {
		t.Fatalf("outcome observed=%v action %v, want an observed accept", out.Observed, out.Verdict.Action)
	}
	if d := edits(out, txn.EditDelete, engine.WouldHeader); len(d) != 1 || d[0].Index != 1 {
		t.Errorf("deletes %+v, want the forged field deleted", d)
	}
	if a := edits(out, txn.EditAdd, engine.WouldHeader); len(a) != 0 {
		t.Errorf("accepted message got %+v, want no would-be field", a)
	}
}

// TestObserveKeepsDecreeSends: an outbound ad refused for one recipient
// is delivered in observe mode, so the registry keeps its send; enforced,
// the refusal releases it (TestDecreeOutboundPerRecipient).
func TestObserveKeepsDecreeSends(t *testing.T) {
	reg := newFakeRegistry()
	reg.consent["ok@example.net"] = true
	st := stage.New(stage.Options{Analyzer: fakeAnalyzer{a: completeAd}, Registry: reg,
		Directions: stage.Directions{Default: txn.DirectionInbound, Authenticated: true},
		Now:        func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }})
	e := newEngine(t, engine.Options{Resolver: dns("v=spf1 ip4:127.0.0.0/8 -all", ""), SkipAuthenticated: true,
		Decree: st, Modes: engine.Modes{Observe: true}})
	out := mustEvaluate(t, e, outbound(t, "ok@example.net", "none@example.net"))
	if !out.Observed || out.Verdict.Action != txn.ActionReject || len(out.RemoveRcpts) != 0 {
		t.Fatalf("observed %v action %v removed %v, want an observed reject removing nobody", out.Observed,
			out.Verdict.Action, out.RemoveRcpts)
	}
	if reg.sent["ok@example.net"] != 1 || len(reg.released) != 0 {
		t.Errorf("sent %v released %v, want the delivered send kept", reg.sent, reg.released)
	}
}
