package engine

import (
	"fmt"
	"strings"

	"milter91/internal/txn"
)

// Quarantine methods.
const (
	// QuarantineHold puts the message on the MTA's hold queue (Postfix
	// postsuper -H releases it).
	QuarantineHold = "hold"
	// QuarantineJunk delivers it with the Junk header fields (JunkHeader,
	// X-Spam and the X-Spam-* fields) that a Sieve rule files into the
	// user's Junk folder, where the user can release it.
	QuarantineJunk = "junk"
)

// JunkHeader marks a message the quarantine delivered to Junk, with the
// score and the rules.
const JunkHeader = "X-Milter91-Junk"

// Quarantine chooses how a quarantine verdict is carried out: DMARC for a
// DMARC failure of a From domain publishing p=quarantine (RFC 7489 §6.3),
// Default for any other. "" is QuarantineHold.
type Quarantine struct {
	Default, DMARC string
}

// junk reports whether the quarantine of a message with facts f is a
// delivery to Junk.
func (q Quarantine) junk(f *txn.Facts) bool {
	if f.DMARC.Result == txn.ResultFail && f.DMARC.Policy == "quarantine" {
		return q.DMARC == QuarantineJunk
	}
	return q.Default == QuarantineJunk
}

// junkHeaders are the fields of a message delivered to Junk: X-Spam: Yes,
// SpamAssassin's X-Spam-* fields (spamHeaders) and JunkHeader.
func junkHeaders(v *txn.Verdict) []txn.HeaderEdit {
	add := func(name, value string) txn.HeaderEdit {
		return txn.HeaderEdit{Op: txn.EditAdd, Name: name, Value: " " + value}
	}
	out := append([]txn.HeaderEdit{add("X-Spam", "Yes")}, spamHeaders(v)...)
	value := fmt.Sprintf("quarantine; score=%.1f; rules=%s", v.Score, strings.Join(v.RuleIDs(), ","))
	return append(out, add(JunkHeader, headerSafe(value, maxWouldText)))
}
