package stage

import (
	"fmt"
	"strings"

	"milter91/internal/txn"
)

// What a message judged once per recipient becomes when only some
// recipients fail (decree91.multi_recipient).
const (
	// MultiRejectAll gives the whole message the most severe verdict.
	MultiRejectAll = "reject_all"
	// MultiRemoveRefused removes the recipients refused because they
	// refused the advertiser (Art. 13.4: they asked not to get it) and
	// delivers to the others; the default.
	MultiRemoveRefused = "remove_refused"
	// MultiRemoveRejected removes every recipient a per-recipient rule
	// rejects (a refusal, no consent).
	MultiRemoveRejected = "remove_rejected"
)

// removedDetail starts the Detail of the matches Choose carries over from
// a removed recipient's verdict, followed by the address.
const removedDetail = "recipient removed: "

// Choose picks the verdict of a message the rules judged once per
// recipient (verdicts[i] for rcpts[i], at least one). Under
// MultiRejectAll, or when no recipient may be removed, or all would be,
// the most severe verdict decides. Otherwise the removable recipients (a
// reject, and under MultiRemoveRefused only for a recipient who refused)
// are set apart and the most severe verdict of the others decides: when
// that one delivers (accept, tag, quarantine) the removable recipients are
// removed (returned; the engine logs them) and their rules' matches are added to the
// verdict (Detail "recipient removed: ADDR"), so that the log line, the
// archive and the report name them; when it refuses or defers, nobody is
// removed. A recipient is never removed for a deferral (a tempfail): the
// sender would not retry it, and its mail would be lost. No bounce is
// generated: a removed recipient simply does not get the message.
func (s *Stage) Choose(queueID string, rcpts []txn.DecreeRecipient, verdicts []txn.Verdict) (txn.Verdict, map[string]bool) {
	all := func(int) bool { return true }
	worst := worstOf(verdicts, all)
	if s.opt.MultiRecipient == MultiRejectAll || s.opt.MultiRecipient == "" {
		return verdicts[worst], nil
	}
	removable := func(i int) bool {
		return verdicts[i].Action == txn.ActionReject && (s.opt.MultiRecipient == MultiRemoveRejected || rcpts[i].Refused)
	}
	kept := worstOf(verdicts, func(i int) bool { return !removable(i) })
	if kept < 0 || !removable(worst) {
		return verdicts[worst], nil
	}
	if verdicts[kept].Action > txn.ActionQuarantine {
		return verdicts[kept], nil // the others are deferred or refused anyway
	}
	v := verdicts[kept]
	v.Matches = append([]txn.Match(nil), v.Matches...)
	removed := map[string]bool{}
	for i := range verdicts {
		if !removable(i) {
			continue
		}
		removed[rcpts[i].Rcpt] = true
		for _, m := range verdicts[i].Matches {
			m.Score, m.Detail = 0, removedDetail+rcpts[i].Rcpt
			v.Matches = append(v.Matches, m)
		}
	}
	return v, removed
}

// worstOf is the index of the most severe verdict among those in, -1 when
// none is.
func worstOf(verdicts []txn.Verdict, in func(int) bool) int {
	w := -1
	for i, v := range verdicts {
		if in(i) && (w < 0 || severer(v, verdicts[w])) {
			w = i
		}
	}
	return w
}

// severer orders verdicts by action, then score.
func severer(a, b txn.Verdict) bool {
	if a.Action != b.Action {
		return a.Action > b.Action
	}
	return a.Score > b.Score
}

// RemovedHeaderName tells the delivered copies of a message that some
// recipients were removed. The engine deletes every incoming one: an
// upstream copy could pass as ours.
const RemovedHeaderName = "X-Decree91-Removed"

// RemovedHeader is the header added to the delivered copies when Choose
// removed n recipients, with the rules that removed them from v, e.g.
// "X-Decree91-Removed: 1 recipient; rules=D91_OUT_REFUSED
// (Decree 91/2020 Art. 13.4)". It names no address: the copies go to the
// other recipients, and who refused is theirs to know only (the log and
// the archive keep the addresses for the operator). ok is false when n is 0.
func RemovedHeader(v txn.Verdict, n int) (edit txn.HeaderEdit, ok bool) {
	if n == 0 {
		return txn.HeaderEdit{}, false
	}
	var ids, refs []string
	for _, m := range v.Matches {
		if !strings.HasPrefix(m.Detail, removedDetail) {
			continue
		}
		if !contains(ids, m.ID) {
			ids = append(ids, m.ID)
		}
		if m.Ref != "" && !contains(refs, m.Ref) {
			refs = append(refs, m.Ref)
		}
	}
	noun := "recipients"
	if n == 1 {
		noun = "recipient"
	}
	value := fmt.Sprintf(" %d %s; rules=%s", n, noun, listOrNone(ids))
	if len(refs) > 0 {
		value += " (" + strings.Join(refs, "; ") + ")"
	}
	return txn.HeaderEdit{Op: txn.EditAdd, Name: RemovedHeaderName, Value: value}, true
}
