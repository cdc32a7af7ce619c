package engine

import (
	"fmt"
	"strings"

	"milter91/internal/txn"
)

// WouldHeader is the field that names, in observe mode, the verdict that
// was computed but not enforced.
const WouldHeader = "X-Milter91-Would"

// maxWouldText bounds the value of WouldHeader in bytes, within RFC 5322
// §2.1.1's 998-character line.
const maxWouldText = 900

// Modes choose per message whether its verdict is enforced or only
// observed: a {daemon_name} entry wins over a listener entry, which wins
// over Observe. The zero value enforces everywhere.
type Modes struct {
	// Observe is the global mode: true observes.
	Observe bool
	// Listeners and DaemonNames map a listen address (txn.Conn.Listener)
	// or a {daemon_name} to its mode: true observes, false enforces.
	Listeners   map[string]bool
	DaemonNames map[string]bool
}

// Observes reports whether verdicts for mail on c are only observed.
func (m Modes) Observes(c txn.Conn) bool {
	if o, ok := m.DaemonNames[c.DaemonName]; ok && c.DaemonName != "" {
		return o
	}
	if o, ok := m.Listeners[c.Listener]; ok && c.Listener != "" {
		return o
	}
	return m.Observe
}

// wouldValue is WouldHeader's value for v, or "" when v would accept the
// message unchanged: the action, the SMTP reply of a refusal, the score
// and the rules that matched, and how many recipients would be removed
// (never their addresses: the field is seen by every recipient).
func wouldValue(v *txn.Verdict, removed int) string {
	if v.Action == txn.ActionAccept && removed == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(v.Action.String())
	if v.Action == txn.ActionReject || v.Action == txn.ActionTempfail {
		b.WriteString(" " + v.Reply.String())
	}
	fmt.Fprintf(&b, "; score=%.1f", v.Score)
	if ids := v.RuleIDs(); len(ids) > 0 {
		b.WriteString("; rules=" + strings.Join(ids, ","))
	}
	if removed > 0 {
		fmt.Fprintf(&b, "; remove_recipients=%d", removed)
	}
	return " " + headerSafe(b.String(), maxWouldText)
}

// headerSafe keeps the printable ASCII of s (a rule's reply text may
// hold anything the admin wrote), at most max bytes.
func headerSafe(s string, max int) string {
	out := make([]byte, 0, min(len(s), max))
	for i := 0; i < len(s) && len(out) < max; i++ {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			out = append(out, c)
		}
	}
	return string(out)
}
