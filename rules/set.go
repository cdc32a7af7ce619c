// Package rules compiles the operator's YAML rules once, with every error
// reported as file:line:col, and evaluates them over a message's facts into
// a txn.Verdict: score, matched rules with their references (RFC section or
// decree article), action and SMTP reply. The syntax is described in
// docs/rules.md; the facts a condition can name form one table
// (factTable in facts.go). Rules marked at: rcpt decide at RCPT, before
// DATA (EvaluateInput with AtRCPT); the others at the end of the message.
package rules

import "milter91/internal/txn"

// Set is a compiled, immutable rule set, safe for concurrent Evaluate calls.
// A nil *Set has no rules and all thresholds off.
type Set struct {
	rules    []*rule // in file order; overrides keep the first position
	settings Settings
	refs     []Ref
}

// Refs returns the blocklist zones and local lists the rules name (not
// "*"), with where: the caller checks them against the daemon config, so
// that a typo does not silently turn a rule off.
func (s *Set) Refs() []Ref { return s.refs }

// rule is one compiled rule.
type rule struct {
	id, desc, ref string
	score         float64
	forced        bool
	action        txn.Action
	reply         *replySpec // nil: default reply
	when          Matcher
	disabled      bool
	stage         Stage
	where         string // file:line:col of the first definition
}

// RuleInfo describes one rule for listings (`milter91 rules lint`).
type RuleInfo struct {
	ID          string
	Description string
	// Ref is the RFC section or decree article the rule enforces.
	Ref   string
	Score float64
	// Forced is true when the rule forces Action whatever the score;
	// Action is accept (meaningless) otherwise.
	Forced bool
	Action txn.Action
	// Reply is the rule's own SMTP reply with its text as written
	// ({placeholders} unexpanded); zero when it has none.
	Reply txn.Reply
	// Disabled is true when a disable: list switched the rule off.
	Disabled bool
	// Where is the file:line:col of the rule's first definition.
	Where string
	// At is when the rule is evaluated: AtEOM or AtRCPT.
	At Stage
}

// Settings returns the score thresholds in force.
func (s *Set) Settings() Settings {
	if s == nil {
		return Settings{}
	}
	return s.settings
}

// Rules lists every rule in evaluation order, disabled ones included.
func (s *Set) Rules() []RuleInfo {
	if s == nil {
		return nil
	}
	out := make([]RuleInfo, len(s.rules))
	for i, r := range s.rules {
		out[i] = RuleInfo{ID: r.id, Description: r.desc, Ref: r.ref, Score: r.score,
			Forced: r.forced, Action: r.action, Disabled: r.disabled, Where: r.where, At: r.stage}
		if r.reply != nil {
			out[i].Reply = txn.Reply{Code: r.reply.code, Enhanced: r.reply.enhanced, Text: r.reply.raw}
		}
	}
	return out
}

// HasStage reports whether an enabled rule is evaluated at stage: without
// an at: rcpt rule nothing is decided before DATA.
func (s *Set) HasStage(stage Stage) bool {
	if s == nil {
		return false
	}
	for _, r := range s.rules {
		if !r.disabled && r.stage == stage {
			return true
		}
	}
	return false
}
