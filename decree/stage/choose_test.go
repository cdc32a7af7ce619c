package stage

import (
	"maps"
	"slices"
	"testing"

	"milter91/internal/txn"
)

var (
	accept   = txn.Verdict{Action: txn.ActionAccept}
	tag      = txn.Verdict{Action: txn.ActionTag, Score: 5}
	refusal  = txn.Verdict{Action: txn.ActionReject, Forced: true, Matches: []txn.Match{{ID: "D91_OUT_REFUSED", Ref: "Decree 91/2020 Art. 13.4", Detail: "decree91.refused=true"}}}
	noCons   = txn.Verdict{Action: txn.ActionReject, Forced: true, Matches: []txn.Match{{ID: "D91_OUT_NO_CONSENT", Ref: "Decree 91/2020 Art. 11.2"}}}
	deferral = txn.Verdict{Action: txn.ActionTempfail, Forced: true, Matches: []txn.Match{{ID: "D91_OUT_FREQUENCY", Ref: "Decree 91/2020 Art. 13.5"}}}
)

// Choose: a recipient who refused the advertiser is removed and the others
// get the message (remove_refused, the default); every per-recipient
// reject under remove_rejected; never a recipient for a deferral, never
// when the others are refused or deferred anyway; reject_all as before.
func TestChoose(t *testing.T) {
	rcpts := []txn.DecreeRecipient{{Rcpt: "a"}, {Rcpt: "b", Refused: true}, {Rcpt: "c"}}
	tests := []struct {
		name        string
		mode        string
		verdicts    []txn.Verdict
		wantAction  txn.Action
		wantRemoved []string
	}{
		{"reject_all: the refusal bounces all", MultiRejectAll, []txn.Verdict{accept, refusal, tag}, txn.ActionReject, nil},
		{"unset is reject_all", "", []txn.Verdict{accept, refusal, tag}, txn.ActionReject, nil},
		{"refused recipient removed", MultiRemoveRefused, []txn.Verdict{accept, refusal, tag}, txn.ActionTag, []string{"b"}},
		{"no consent is no refusal: reject all", MultiRemoveRefused, []txn.Verdict{accept, refusal, noCons}, txn.ActionReject, nil},
		{"another deferred: all deferred, nobody removed", MultiRemoveRefused, []txn.Verdict{deferral, refusal, accept}, txn.ActionTempfail, nil},
		{"a deferral alone removes nobody", MultiRemoveRejected, []txn.Verdict{accept, accept, deferral}, txn.ActionTempfail, nil},
		{"remove_rejected: no consent removed too", MultiRemoveRejected, []txn.Verdict{accept, refusal, noCons}, txn.ActionAccept, []string{"b", "c"}},
		{"all refused: reject", MultiRemoveRejected, []txn.Verdict{noCons, refusal, noCons}, txn.ActionReject, nil},
		{"none failing", MultiRemoveRefused, []txn.Verdict{accept, tag, accept}, txn.ActionTag, nil},
	}
	for _, tt := range tests {
		s := New(Options{Analyzer: analyzer{}, MultiRecipient: tt.mode})
		v, removed := s.Choose("Q", rcpts, tt.verdicts)
		got := slices.Sorted(maps.Keys(removed))
		if v.Action != tt.wantAction || !slices.Equal(got, tt.wantRemoved) {
			t.Errorf("%s: %v removed %v, want %v removed %v", tt.name, v.Action, got, tt.wantAction, tt.wantRemoved)
		}
		if len(got) > 0 && !slices.Contains(v.RuleIDs(), "D91_OUT_REFUSED") {
			t.Errorf("%s: rules %v lack the removed recipient's D91_OUT_REFUSED (log, archive, report)", tt.name, v.RuleIDs())
		}
	}
}

// The delivered copies say how many recipients were removed and by which
// rules, without naming them.
func TestRemovedHeader(t *testing.T) {
	s := New(Options{Analyzer: analyzer{}, MultiRecipient: MultiRemoveRefused})
	v, removed := s.Choose("Q", []txn.DecreeRecipient{{Rcpt: "a"}, {Rcpt: "b@example.net", Refused: true}}, []txn.Verdict{accept, refusal})
	h, ok := RemovedHeader(v, len(removed))
	want := " 1 recipient; rules=D91_OUT_REFUSED (Decree 91/2020 Art. 13.4)"
	if !ok || h.Name != RemovedHeaderName || h.Op != txn.EditAdd || h.Value != want {
		t.Errorf("RemovedHeader = %+v %v, want %q", h, ok, want)
	}
	if _, ok := RemovedHeader(accept, 0); ok {
		t.Error("a header with nobody removed")
	}
}
