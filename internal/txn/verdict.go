package txn

import "fmt"

// Action is what happens to a message, ordered by severity: a larger value
// is more severe, so the most severe of several forced actions wins.
type Action int

// Actions, least to most severe.
const (
	ActionAccept Action = iota
	ActionTag
	ActionQuarantine
	ActionTempfail
	ActionReject
)

var actionNames = [...]string{"accept", "tag", "quarantine", "tempfail", "reject"}

// String returns the lower-case name used in YAML, logs and JSON.
func (a Action) String() string {
	if a < 0 || int(a) >= len(actionNames) {
		return fmt.Sprintf("action(%d)", int(a))
	}
	return actionNames[a]
}

// ParseAction maps "accept", "tag", "quarantine", "tempfail", "reject" to an
// Action; any other string is an error.
func ParseAction(s string) (Action, error) {
	for i, n := range actionNames {
		if n == s {
			return Action(i), nil
		}
	}
	return 0, fmt.Errorf("unknown action %q (want accept, tag, quarantine, tempfail or reject)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// Reply is an SMTP reply: basic code (RFC 5321 §4.2), enhanced status code
// (RFC 3463, RFC 7372) and text.
type Reply struct {
	Code     int    `json:"code"`
	Enhanced string `json:"enhanced"`
	Text     string `json:"text"`
}

// String returns "550 5.7.1 text".
func (r Reply) String() string {
	if r.Code == 0 {
		return ""
	}
	return fmt.Sprintf("%d %s %s", r.Code, r.Enhanced, r.Text)
}

// Match is one rule that matched.
type Match struct {
	ID     string  `json:"id"`
	Score  float64 `json:"score"`
	Ref    string  `json:"ref"`
	Detail string  `json:"detail"`
}

// Verdict is what the rules decided.
type Verdict struct {
	Action Action  `json:"action"`
	Score  float64 `json:"score"`
	// TagAt and RejectAt are the score thresholds in force.
	TagAt    float64 `json:"tag_at"`
	RejectAt float64 `json:"reject_at"`
	// Forced is true when a rule's forced action decided, not the score.
	Forced  bool    `json:"forced"`
	Matches []Match `json:"rules"`
	// Reply is set for tempfail and reject; zero otherwise.
	Reply Reply `json:"smtp_reply"`
}

// RuleIDs returns the ids of the matched rules in match order.
func (v *Verdict) RuleIDs() []string {
	ids := make([]string, len(v.Matches))
	for i, m := range v.Matches {
		ids[i] = m.ID
	}
	return ids
}
