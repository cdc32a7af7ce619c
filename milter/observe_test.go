package milter

import (
	"context"
	"slices"
	"testing"

	gomilter "github.com/d--j/go-milter"

	"milter91/internal/txn"
)

// acceptedWith sends one message whose evaluation gives out and checks
// that the MTA was told to accept with exactly out.Edits (no hold, no
// recipient removed); it returns what Answered was told and the summary
// lines logged as msg.
func acceptedWith(t *testing.T, out txn.Outcome, msg string) ([]txn.Answer, []map[string]any) {
	t.Helper()
	ev := &fakeEval{fn: func(context.Context, *txn.Transaction) (*txn.Outcome, error) {
		o := out
		return &o, nil
	}}
	sink := &answerSink{}
	addr, _, logs := startServer(t, Options{FailMode: txn.ActionTempfail, Answered: sink.add}, ev)
	m := dialMTA(t, addr)
	m.connect("127.0.0.2", "helo.example.com")
	mods, act := m.send(simple("Q1"))
	if act.Type != gomilter.ActionAccept {
		t.Fatalf("final action %v, want accept", act)
	}
	var want []gomilter.ModifyAction
	for _, e := range out.Edits {
		want = append(want, gomilter.ModifyAction{Type: gomilter.ActionAddHeader, HeaderName: e.Name, HeaderValue: e.Value})
	}
	if !slices.EqualFunc(mods, want, sameMod) {
		t.Errorf("modifications %v, want only %v", mods, want)
	}
	return sink.answers(), logs.entries(t, msg)
}

// TestObservedOutcomeAccepted: an observed reject, tempfail or quarantine
// is accepted with its edits, nothing held or removed, and Answered is
// told both the would-be verdict (Outcome) and the accept sent (Action).
func TestObservedOutcomeAccepted(t *testing.T) {
	would := txn.HeaderEdit{Op: txn.EditAdd, Name: "X-Milter91-Would", Value: " reject 554 5.7.1 blocked"}
	for _, action := range []txn.Action{txn.ActionReject, txn.ActionTempfail, txn.ActionQuarantine} {
		t.Run(action.String(), func(t *testing.T) {
			out := txn.Outcome{Observed: true, Edits: []txn.HeaderEdit{would},
				Verdict: txn.Verdict{Action: action, Reply: txn.Reply{Code: 554, Enhanced: "5.7.1", Text: "blocked"}}}
			answers, lines := acceptedWith(t, out, "Q1: accept")
			if len(answers) != 1 || answers[0].Action != txn.ActionAccept || answers[0].Outcome == nil ||
				answers[0].Outcome.Verdict.Action != action || answers[0].Quarantine != "" {
				t.Fatalf("answers %+v, want one accept whose outcome would %v", answers, action)
			}
			if len(lines) != 1 || lines[0]["would"] != action.String() {
				t.Errorf("summary lines %v, want one with would=%v", lines, action)
			}
		})
	}
}

// TestJunkQuarantineNotHeld: a quarantine to Junk sends its edits and no
// hold request; Answered is told a quarantine with Junk set.
func TestJunkQuarantineNotHeld(t *testing.T) {
	out := txn.Outcome{Junk: true, Edits: []txn.HeaderEdit{{Op: txn.EditAdd, Name: "X-Spam", Value: " Yes"}},
		Verdict: txn.Verdict{Action: txn.ActionQuarantine}}
	answers, lines := acceptedWith(t, out, "Q1: quarantine")
	if len(answers) != 1 || answers[0].Action != txn.ActionQuarantine || !answers[0].Junk || answers[0].Quarantine != "" {
		t.Fatalf("answers %+v, want one junk quarantine", answers)
	}
	if len(lines) != 1 || lines[0]["junk"] != true {
		t.Errorf("summary lines %v, want one with junk=true", lines)
	}
}
