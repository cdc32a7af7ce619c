package engine

import (
	"fmt"
	"strings"

	"milter91/decree/stage"
	"milter91/internal/auth"
	"milter91/internal/txn"
)

// edits is the last step: it puts the verdict in the outcome with what it
// changes in the message: the recipients to remove, the header edits
// (headerEdits) and, for a quarantine, the hold reason or, when
// Options.Quarantine says junk, the Junk header fields (Outcome.Junk).
func (e *Engine) edits(m *message, v txn.Verdict, removed map[string]bool) {
	out := m.out
	out.Verdict = v
	for _, r := range m.t.Rcpts {
		if removed[r] {
			out.RemoveRcpts = append(out.RemoveRcpts, r)
		}
	}
	out.Edits = e.headerEdits(m.t, m.f, &out.Verdict, m.skipped)
	if h, ok := stage.RemovedHeader(v, len(out.RemoveRcpts)); ok && v.Action <= txn.ActionQuarantine {
		out.Edits = append(out.Edits, h)
	}
	out.Discard = e.discard(m, v)
	switch {
	case v.Action != txn.ActionQuarantine:
	case e.opt.Quarantine.junk(m.f):
		out.Junk = true
		out.Edits = append(out.Edits, junkHeaders(&out.Verdict)...)
	default:
		out.Quarantine = fmt.Sprintf("milter91: score %.1f rules %v", v.Score, v.RuleIDs())
	}
}

// observed is the edits step in observe mode: the verdict stays in the
// outcome as the would-be one, the edits are those of an accepted message
// plus WouldHeader, nothing is removed or held (txn.Outcome.Observed).
func (e *Engine) observed(m *message, v txn.Verdict, removed map[string]bool) {
	out := m.out
	out.Verdict, out.Observed = v, true
	accept := txn.Verdict{Action: txn.ActionAccept}
	out.Edits = e.headerEdits(m.t, m.f, &accept, m.skipped)
	n := 0
	for _, r := range m.t.Rcpts {
		if removed[r] {
			n++
		}
	}
	if w := wouldValue(&v, n); w != "" {
		out.Edits = append(out.Edits, txn.HeaderEdit{Op: txn.EditAdd, Name: WouldHeader, Value: w})
	}
}

// headerEdits lists the header changes for an accepted, tagged or
// quarantined message, deletes first (by original index), then the insert
// at the top, then the appended headers. Existing headers are never
// rewritten, except the Subject when the operator turned the Subject
// prefix on.
func (e *Engine) headerEdits(t *txn.Transaction, f *txn.Facts, v *txn.Verdict, skipped bool) []txn.HeaderEdit {
	if v.Action == txn.ActionReject || v.Action == txn.ActionTempfail {
		return nil
	}
	edits := e.deletions(t)
	if !skipped {
		name, value := auth.ResultsHeader(e.opt.AuthservID, f.SPF, f.DKIM, f.DMARC, f.ARC)
		edits = append(edits, txn.HeaderEdit{Op: txn.EditInsert, Name: name, Value: value, Index: 1})
	}
	if h, ok := stage.Header(&f.Decree); ok {
		edits = append(edits, h)
	}
	if f.FeedbackID != "" {
		edits = append(edits, txn.HeaderEdit{Op: txn.EditAdd, Name: "Feedback-ID", Value: " " + f.FeedbackID})
	}
	if v.Action != txn.ActionTag {
		return edits
	}
	edits = append(edits, spamHeaders(v)...)
	if e.opt.SubjectPrefix != "" {
		edits = append(edits, subjectEdit(t, e.opt.SubjectPrefix))
	}
	return edits
}

// deletions removes incoming Authentication-Results that claim our
// authserv-id (RFC 8601 §5) and every upstream X-Spam*, X-Decree91
// (stage.HeaderName), X-Decree91-Removed and X-Milter91-* (WouldHeader,
// JunkHeader) header, which could otherwise pass as our own
// verdict. Indices count same-name headers
// from 1; deleting from the last one keeps the earlier indices valid.
func (e *Engine) deletions(t *txn.Transaction) []txn.HeaderEdit {
	counts := map[string]int{}
	var dels []txn.HeaderEdit
	for _, h := range t.Headers {
		key := strings.ToLower(h.Name)
		counts[key]++
		drop := strings.HasPrefix(key, "x-spam") || strings.EqualFold(h.Name, stage.HeaderName) || strings.HasPrefix(key, "x-milter91-") ||
			strings.EqualFold(h.Name, stage.RemovedHeaderName) ||
			(key == "authentication-results" && auth.ClaimsAuthservID(h.Value, e.opt.AuthservID))
		if drop {
			dels = append(dels, txn.HeaderEdit{Op: txn.EditDelete, Name: h.Name, Index: counts[key]})
		}
	}
	for i, j := 0, len(dels)-1; i < j; i, j = i+1, j-1 {
		dels[i], dels[j] = dels[j], dels[i]
	}
	return dels
}

// spamHeaders are SpamAssassin's tagging headers (X-Spam-Flag, -Score,
// -Level, -Status) so existing mailbox filters keep working.
func spamHeaders(v *txn.Verdict) []txn.HeaderEdit {
	tests := strings.Join(v.RuleIDs(), ",")
	if tests == "" {
		tests = "none"
	}
	stars := int(v.Score)
	if stars < 0 {
		stars = 0
	}
	if stars > 50 {
		stars = 50
	}
	add := func(name, value string) txn.HeaderEdit {
		return txn.HeaderEdit{Op: txn.EditAdd, Name: name, Value: " " + value}
	}
	out := []txn.HeaderEdit{
		add("X-Spam-Flag", "YES"),
		add("X-Spam-Score", fmt.Sprintf("%.1f", v.Score)),
	}
	if stars > 0 {
		out = append(out, add("X-Spam-Level", strings.Repeat("*", stars)))
	}
	return append(out, add("X-Spam-Status",
		fmt.Sprintf("Yes, score=%.1f required=%.1f tests=%s", v.Score, v.TagAt, tests)))
}

// subjectEdit prefixes the first Subject (or adds one) with prefix.
func subjectEdit(t *txn.Transaction, prefix string) txn.HeaderEdit {
	values := t.HeaderValues("Subject")
	if len(values) == 0 {
		return txn.HeaderEdit{Op: txn.EditAdd, Name: "Subject", Value: " " + strings.TrimSpace(prefix)}
	}
	old := strings.TrimLeft(values[0], " \t")
	return txn.HeaderEdit{Op: txn.EditChange, Name: "Subject", Index: 1, Value: " " + prefix + old}
}
