package milter

import (
	"context"
	"slices"
	"sync"
	"testing"

	gomilter "github.com/d--j/go-milter"

	"milter91/internal/txn"
)

// TestObservedOutcomeAccepted: an observed reject or quarantine is
// accepted with its edits, no recipient removed and nothing held, and
// Answered is told both the would-be verdict (Outcome) and the accept
// sent (Action).
func TestObservedOutcomeAccepted(t *testing.T) {
	would := txn.HeaderEdit{Op: txn.EditAdd, Name: "X-Milter91-Would", Value: " reject 554 5.7.1 blocked"}
	for _, action := range []txn.Action{txn.ActionReject, txn.ActionTempfail, txn.ActionQuarantine} {
		t.Run(action.String(), func(t *testing.T) {
			ev := &fakeEval{fn: func(context.Context, *txn.Transaction) (*txn.Outcome, error) {
				return &txn.Outcome{Observed: true, Edits: []txn.HeaderEdit{would},
					Verdict: txn.Verdict{Action: action, Reply: txn.Reply{Code: 554, Enhanced: "5.7.1", Text: "blocked"}}}, nil
			}}
			var mu sync.Mutex
			var answers []txn.Answer
			addr, _, logs := startServer(t, Options{FailMode: txn.ActionTempfail, Answered: func(a txn.Answer) {
				mu.Lock()
				defer mu.Unlock()
				answers = append(answers, a)
			}}, ev)
			m := dialMTA(t, addr)
			m.connect("127.0.0.2", "helo.example.com")
			mods, act := m.send(simple("Q1"))
			if act.Type != gomilter.ActionAccept {
				t.Fatalf("final action %v, want accept", act)
			}
			want := []gomilter.ModifyAction{{Type: gomilter.ActionAddHeader, HeaderName: would.Name, HeaderValue: would.Value}}
			if !slices.EqualFunc(mods, want, sameMod) {
				t.Errorf("modifications %v, want only %v", mods, want)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(answers) != 1 || answers[0].Action != txn.ActionAccept || answers[0].Outcome == nil ||
				answers[0].Outcome.Verdict.Action != action || answers[0].Quarantine != "" {
				t.Fatalf("answers %+v, want one accept whose outcome would %v", answers, action)
			}
			lines := logs.entries(t, "Q1: accept")
			if len(lines) != 1 || lines[0]["would"] != action.String() {
				t.Errorf("summary lines %v, want one with would=%v", lines, action)
			}
		})
	}
}

// TestJunkQuarantineNotHeld: a quarantine to Junk sends its edits and no
// hold request; Answered is told a quarantine with Junk set.
func TestJunkQuarantineNotHeld(t *testing.T) {
	mark := txn.HeaderEdit{Op: txn.EditAdd, Name: "X-Spam", Value: " Yes"}
	ev := &fakeEval{fn: func(context.Context, *txn.Transaction) (*txn.Outcome, error) {
		return &txn.Outcome{Junk: true, Edits: []txn.HeaderEdit{mark}, Verdict: txn.Verdict{Action: txn.ActionQuarantine}}, nil
	}}
	var mu sync.Mutex
	var answers []txn.Answer
	addr, _, logs := startServer(t, Options{FailMode: txn.ActionTempfail, Answered: func(a txn.Answer) {
		mu.Lock()
		defer mu.Unlock()
		answers = append(answers, a)
	}}, ev)
	m := dialMTA(t, addr)
	m.connect("127.0.0.2", "helo.example.com")
	mods, act := m.send(simple("Q1"))
	if act.Type != gomilter.ActionAccept {
		t.Fatalf("final action %v, want accept", act)
	}
	want := []gomilter.ModifyAction{{Type: gomilter.ActionAddHeader, HeaderName: mark.Name, HeaderValue: mark.Value}}
	if !slices.EqualFunc(mods, want, sameMod) {
		t.Errorf("modifications %v, want only %v (no hold)", mods, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(answers) != 1 || answers[0].Action != txn.ActionQuarantine || !answers[0].Junk || answers[0].Quarantine != "" {
		t.Fatalf("answers %+v, want one junk quarantine", answers)
	}
	if lines := logs.entries(t, "Q1: quarantine"); len(lines) != 1 || lines[0]["junk"] != true {
		t.Errorf("summary lines %v, want one with junk=true", lines)
	}
}
