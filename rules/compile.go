package rules

import (
	"bytes"
	"fmt"
	"math"

	"milter91/internal/fileerr"
)

// Compile compiles rule sources, in order, into a Set. A later source may
// redefine an earlier rule with override: true, switch rules off with a
// top-level disable: list and replace settings with override: true in its
// settings block (see docs/rules.md). Every problem of every source is
// returned at once as an ErrorList, sorted by source order, line, column,
// each position inside its source. A panic while compiling (a bug) is an
// Internal Error of the source being read, or of the last source once all
// are read: a reload then keeps the running rules.
// opts add facts (WithFact).
func Compile(srcs []Source, opts ...Option) (set *Set, err error) {
	facts, err := factSet(opts)
	if err != nil {
		return nil, err
	}
	c := &compiler{byID: map[string]*ruleSpec{}, facts: facts}
	c.errs.order = map[string]int{}
	for i := len(srcs) - 1; i >= 0; i-- {
		c.errs.order[srcs[i].Name] = i
	}
	for _, src := range srcs {
		c.guardedSource(src)
	}
	if len(srcs) > 0 {
		defer fileerr.Recover(srcs[len(srcs)-1].Name, "rule compiler", &err)
	}
	set, err = c.finish()
	if list, ok := err.(ErrorList); ok {
		for _, src := range srcs {
			list.ClampTo(src.Name, bytes.TrimPrefix(src.Data, []byte("\uFEFF")))
		}
	}
	return set, err
}

// guardedSource is source with a panic in it recorded as src's error.
func (c *compiler) guardedSource(src Source) {
	var err error
	func() {
		defer fileerr.Recover(src.Name, "rule compiler", &err)
		c.source(src)
	}()
	c.errs.add(Value{file: src.Name}, err)
}

// compiler holds the state of one Compile call.
type compiler struct {
	refs     []Ref
	errs     errorSink
	specs    []*ruleSpec // in order of first definition
	byID     map[string]*ruleSpec
	settings settingsBuilder
	disable  []Value // the items of every disable: list
	facts    map[string]fact
}

// source reads one file's top level: settings, rules, disable.
func (c *compiler) source(src Source) {
	root, err := parseSource(src)
	root.refs = &c.refs
	if err != nil {
		c.errs.add(root, err)
		return
	}
	if root.IsNull() {
		return
	}
	fields, err := root.Fields()
	if err != nil && !isMapping(root) && root.refused() == nil {
		err = root.Errorf("a rule file is a mapping with the keys settings, rules, disable; got %s", root.Kind())
	}
	c.errs.add(root, err)
	for _, f := range fields {
		switch f.Key {
		case "settings":
			c.settings.add(f.Value, &c.errs)
		case "rules":
			c.rules(f.Value)
		case "disable":
			c.disables(f.Value)
		default:
			c.errs.add(f.KeyAt, f.KeyAt.Errorf("unknown top-level key %q (want settings, rules, disable)", f.Key))
		}
	}
}

// rules reads a list of rules; an empty `rules:` is allowed.
func (c *compiler) rules(v Value) {
	if v.IsNull() {
		return
	}
	if v.refused() == nil && !isList(v) {
		c.errs.add(v, v.Errorf("rules: want a list of rules, got %s", v.Kind()))
		return
	}
	items, err := v.Items()
	if err != nil {
		c.errs.add(v, err)
		return
	}
	for _, it := range items {
		if s := c.parseRule(it); s != nil {
			c.addSpec(s)
		}
	}
}

// addSpec adds a new rule, or merges an override into the rule it names.
func (c *compiler) addSpec(s *ruleSpec) {
	prev, dup := c.byID[s.id]
	switch {
	case dup && !s.override:
		line, col := prev.idAt.Pos()
		c.errs.add(s.idAt, s.idAt.Errorf("duplicate rule id %s (first defined at %s:%d:%d); add override: true to replace it",
			s.id, prev.idAt.file, line, col))
	case !dup && s.override:
		c.errs.add(s.overrideAt, s.overrideAt.Errorf("override: true, but no earlier rule %s to override", s.id))
	case dup:
		prev.merge(s)
	default:
		c.byID[s.id] = s
		c.specs = append(c.specs, s)
	}
}

// disables records a disable: list of rule ids; they are resolved once
// every source is read, so a file may disable a rule of any other.
func (c *compiler) disables(v Value) {
	if v.IsNull() {
		return
	}
	items, err := v.Items()
	if err != nil {
		c.errs.add(v, err)
		return
	}
	c.disable = append(c.disable, items...)
}

// finish resolves disables, checks every merged rule and the settings.
func (c *compiler) finish() (*Set, error) {
	off := map[string]bool{}
	for _, d := range c.disable {
		id, err := d.Text()
		if err == nil {
			if _, ok := c.byID[id]; !ok {
				err = d.Errorf("disable: no rule %s", id)
			}
		}
		c.errs.add(d, err)
		off[id] = true
	}
	set := &Set{settings: c.settings.build(&c.errs), refs: c.refs}
	for _, s := range c.specs {
		s.check(&c.errs, c.facts)
		set.rules = append(set.rules, s.compiled(off[s.id]))
	}
	if errs := c.errs.sorted(); errs != nil {
		return nil, errs
	}
	return set, nil
}

// compiled turns a checked spec into the rule Evaluate runs.
func (s *ruleSpec) compiled(disabled bool) *rule {
	r := &rule{id: s.id, when: s.when, disabled: disabled, forced: s.forced, action: s.action, reply: s.reply, stage: s.stage}
	if s.desc != nil {
		r.desc = *s.desc
	}
	if s.ref != nil {
		r.ref = *s.ref
	}
	if s.score != nil {
		r.score = *s.score
	}
	line, col := s.at.Pos()
	r.where = fmt.Sprintf("%s:%d:%d", s.at.file, line, col)
	return r
}

// roundScore rounds a sum of scores to 6 decimals so that 0.1+0.2 reaches
// a threshold of 0.3.
func roundScore(f float64) float64 { return math.Round(f*1e6) / 1e6 }
