package rules

import (
	"fmt"
	"regexp"
	"strings"

	"milter91/internal/txn"
)

// ruleID is the shape of a rule id: upper-case letters, digits, underscore.
var ruleID = regexp.MustCompile(`^[A-Z0-9_]{1,64}$`)

// ruleSpec is one rule as written in one source, before overrides are
// merged and the whole rule is checked.
type ruleSpec struct {
	at, idAt   Value
	id         string
	override   bool
	overrideAt Value
	desc, ref  *string
	score      *float64
	actionSet  bool // action: given (possibly "none")
	forced     bool // action: names a txn.Action
	action     txn.Action
	actionAt   Value
	reply      *replySpec
	when       Matcher
	hasWhen    bool            // when: given, even if it failed to compile
	used       []Field         // the facts when: names
	stage      Stage           // at:
	stageAt    *Value          // where at: was given, nil when not
	failed     map[string]bool // keys whose value was wrong, already reported
}

// Stage is when a rule is evaluated (the rule key at:).
type Stage int

// Stages.
const (
	// AtEOM (at: eom, the default): at the end of the message, with every
	// fact.
	AtEOM Stage = iota
	// AtRCPT (at: rcpt): at the first RCPT of an SMTP session, before
	// DATA, with only the facts known about the client then (the fact
	// table's rcpt facts: the local lists and the blocklist zones marked
	// early: reject, the client address and name, authenticated). Such a
	// rule only forces reject: it refuses a client before its message is
	// sent, as Postfix's postscreen and reject_rbl_client do
	// (RFC 5321 §3.3 lets the server refuse a RCPT).
	AtRCPT
)

// String returns the at: value.
func (s Stage) String() string {
	if s == AtRCPT {
		return "rcpt"
	}
	return "eom"
}

// parseRule reads one entry of a rules list. It reports every problem to
// errs and returns nil when the rule has no usable id.
func (c *compiler) parseRule(v Value) *ruleSpec {
	errs := &c.errs
	fields, err := v.Fields()
	if err != nil && !isMapping(v) && v.refused() == nil {
		err = v.Errorf("a rule is a mapping with id, ref, when and score or action; got %s", v.Kind())
	}
	errs.add(v, err)
	s := &ruleSpec{at: v, failed: map[string]bool{}}
	hasID := false
	for _, f := range fields {
		if f.Key == "id" {
			hasID = true
		}
		if err := c.setField(s, f); err != nil {
			errs.add(f.Value, err)
			s.failed[f.Key] = true
		}
	}
	if s.id == "" {
		if !hasID && (len(fields) > 0 || err == nil) {
			errs.add(v, v.Errorf("rule without id"))
		}
		return nil
	}
	return s
}

// setField reads one key of a rule into s; when: problems go to c.errs
// directly.
func (c *compiler) setField(s *ruleSpec, f Field) error {
	errs := &c.errs
	switch f.Key {
	case "id":
		id, err := f.Value.Text()
		if err == nil && !ruleID.MatchString(id) {
			err = f.Value.Errorf("rule id %q: want 1 to 64 of A-Z, 0-9, _", id)
		}
		if err == nil {
			s.id, s.idAt = id, f.Value
		}
		return err
	case "description", "ref":
		return s.setText(f)
	case "score":
		n, err := f.Value.Number()
		if err == nil {
			s.score = &n
		}
		return err
	case "action":
		return s.setAction(f.Value)
	case "reply":
		s.reply = parseReply(f.Value, errs)
	case "when":
		cc := condCompiler{errs: errs, facts: c.facts}
		s.hasWhen = true
		s.when = cc.compileCond(f.Value, 0)
		s.used = cc.used
	case "at":
		return s.setStage(f.Value)
	case "override":
		b, err := f.Value.Bool()
		s.override, s.overrideAt = b, f.Value
		return err
	default:
		return f.KeyAt.Errorf("unknown rule key %q (want id, description, ref, score, action, reply, when, at, override)%s",
			f.Key, c.factHint(f.Key))
	}
	return nil
}

// setStage reads at: rcpt or at: eom.
func (s *ruleSpec) setStage(v Value) error {
	name, err := v.Text()
	if err != nil {
		return err
	}
	switch name {
	case "eom":
		s.stage = AtEOM
	case "rcpt":
		s.stage = AtRCPT
	default:
		return v.Errorf("unknown at %q (want rcpt, or eom: the end of the message, the default)", name)
	}
	s.stageAt = &v
	return nil
}

// factHint explains a fact name used as a rule key.
func (c *compiler) factHint(key string) string {
	if _, ok := c.facts[key]; ok {
		return fmt.Sprintf("; the fact %q goes under when:", key)
	}
	return ""
}

func (s *ruleSpec) setText(f Field) error {
	t, err := f.Value.Text()
	if err != nil {
		return err
	}
	if f.Key == "ref" {
		if t == "" {
			return f.Value.Errorf("ref must not be empty: name an RFC section or decree article")
		}
		s.ref = &t
	} else {
		s.desc = &t
	}
	return nil
}

// setAction reads accept|tag|quarantine|tempfail|reject, or none for "no
// forced action" (useful in an override).
func (s *ruleSpec) setAction(v Value) error {
	name, err := v.Text()
	if err != nil {
		return err
	}
	s.actionSet, s.actionAt = true, v
	if name == "none" {
		s.forced = false
		return nil
	}
	a, err := txn.ParseAction(name)
	if err != nil {
		return v.Errorf("unknown action %q (want accept, tag, quarantine, tempfail, reject or none)", name)
	}
	s.forced, s.action = true, a
	return nil
}

// merge applies an override: every field o gives replaces s's; setting
// action drops the inherited reply, which belonged to the old action.
func (s *ruleSpec) merge(o *ruleSpec) {
	if o.desc != nil {
		s.desc = o.desc
	}
	if o.ref != nil {
		s.ref = o.ref
	}
	if o.score != nil {
		s.score = o.score
	}
	if o.actionSet {
		s.actionSet, s.forced, s.action, s.actionAt = true, o.forced, o.action, o.actionAt
		s.reply = nil
	}
	if o.reply != nil {
		s.reply = o.reply
	}
	if o.hasWhen {
		s.hasWhen, s.when, s.used = true, o.when, o.used
	}
	if o.stageAt != nil {
		s.stage, s.stageAt = o.stage, o.stageAt
	}
	for k := range o.failed {
		s.failed[k] = true
	}
}

// check reports a merged rule's missing parts, a reply that does not fit
// its action and an RCPT rule's misfits; a part whose value was wrong is
// not reported again as missing.
func (s *ruleSpec) check(errs *errorSink, facts map[string]fact) {
	if s.stage == AtRCPT {
		s.checkRCPT(errs, facts)
	}
	if !s.hasWhen {
		errs.add(s.at, s.at.Errorf("rule %s: missing when", s.id))
	}
	if s.ref == nil && !s.failed["ref"] {
		errs.add(s.at, s.at.Errorf("rule %s: missing ref (an RFC section or decree article)", s.id))
	}
	if s.score == nil && !s.forced && !s.failed["score"] && !s.failed["action"] {
		errs.add(s.at, s.at.Errorf("rule %s: needs a score or an action", s.id))
	}
	if s.reply == nil {
		return
	}
	switch {
	case !s.forced || (s.action != txn.ActionReject && s.action != txn.ActionTempfail):
		errs.add(s.reply.at, s.reply.at.Errorf("rule %s: a reply needs action reject or tempfail", s.id))
	case s.action == txn.ActionReject && s.reply.code/100 != 5:
		errs.add(s.reply.codeAt, s.reply.codeAt.Errorf("rule %s: reply code %d does not fit action reject (want 5xx)", s.id, s.reply.code))
	case s.action == txn.ActionTempfail && s.reply.code/100 != 4:
		errs.add(s.reply.codeAt, s.reply.codeAt.Errorf("rule %s: reply code %d does not fit action tempfail (want 4xx)", s.id, s.reply.code))
	}
}

// checkRCPT checks an at: rcpt rule: it forces reject, has no score
// (nothing is summed before DATA) and names only facts known at RCPT.
func (s *ruleSpec) checkRCPT(errs *errorSink, facts map[string]fact) {
	at := *s.stageAt
	if s.score != nil {
		errs.add(at, at.Errorf("rule %s: at: rcpt takes no score (nothing is summed before DATA); force action: reject", s.id))
	}
	if s.actionSet && (!s.forced || s.action != txn.ActionReject) {
		errs.add(s.actionAt, s.actionAt.Errorf("rule %s: at: rcpt needs action: reject, the one decision before DATA", s.id))
	}
	for _, f := range s.used {
		if fc, ok := facts[f.Key]; ok && !fc.rcpt {
			errs.add(f.KeyAt, f.KeyAt.Errorf("rule %s: fact %q is not known at RCPT (at: rcpt rules can use %s)",
				s.id, f.Key, strings.Join(rcptFacts(facts), ", ")))
		}
	}
}
