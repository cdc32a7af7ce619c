package rules

import (
	"strings"
)

// maxCondDepth bounds all/any/not nesting; deeper is surely a mistake.
const maxCondDepth = 32

// condCompiler compiles the when: of one rule: it reports problems to
// errs, finds facts in facts and records the fact keys the condition
// uses (for the RCPT check).
type condCompiler struct {
	errs  *errorSink
	facts map[string]fact
	used  []Field // the fact entries, key and value
}

// compileCond compiles a condition: a mapping whose entries all must hold,
// each a combinator (all, any, not) or a fact matcher. It reports problems
// to errs and returns nil when there were any.
func (c *condCompiler) compileCond(v Value, depth int) Matcher {
	errs := c.errs
	if depth > maxCondDepth {
		errs.add(v, v.Errorf("conditions nested deeper than %d levels", maxCondDepth))
		return nil
	}
	fields, err := v.Fields()
	if err != nil {
		if !isMapping(v) && v.refused() == nil {
			err = v.Errorf("a condition is a mapping such as {spf: fail}, got %s", v.Kind())
		}
		errs.add(v, err)
	}
	if len(fields) == 0 {
		if err == nil {
			errs.add(v, v.Errorf("empty condition"))
		}
		return nil
	}
	ms := make([]Matcher, 0, len(fields))
	for _, f := range fields {
		if m := c.compileEntry(f, depth); m != nil {
			ms = append(ms, m)
		}
	}
	if err != nil || len(ms) != len(fields) {
		return nil
	}
	if len(ms) == 1 {
		return ms[0]
	}
	return allOf(ms)
}

// compileEntry compiles one key: value of a condition mapping.
func (c *condCompiler) compileEntry(f Field, depth int) Matcher {
	errs := c.errs
	switch f.Key {
	case keyAll, keyAny:
		ms := c.compileList(f.Value, depth)
		if ms == nil {
			return nil
		}
		if f.Key == keyAll {
			return allOf(ms)
		}
		return anyOf(ms)
	case keyNot:
		m := c.compileCond(f.Value, depth+1)
		if m == nil {
			return nil
		}
		return notOf(m, "not("+condKeys(f.Value)+")")
	}
	fc, ok := c.facts[f.Key]
	if !ok {
		errs.add(f.KeyAt, f.KeyAt.Errorf("unknown fact %q%s", f.Key, suggestFact(c.facts, f.Key)))
		return nil
	}
	c.used = append(c.used, f)
	m, err := fc.compile(f.Value)
	if err != nil {
		errs.add(f.Value, err)
		return nil
	}
	if m == nil {
		errs.add(f.Value, f.Value.Errorf("fact %q gave no matcher", f.Key))
	}
	return m
}

// compileList compiles the non-empty list of conditions of all/any.
func (c *condCompiler) compileList(v Value, depth int) []Matcher {
	errs := c.errs
	if v.refused() == nil && !isList(v) {
		errs.add(v, v.Errorf("want a list of conditions, got %s", v.Kind()))
		return nil
	}
	items, err := v.Items()
	if err != nil {
		errs.add(v, err)
		return nil
	}
	ms := make([]Matcher, 0, len(items))
	for _, it := range items {
		if m := c.compileCond(it, depth+1); m != nil {
			ms = append(ms, m)
		}
	}
	if len(ms) != len(items) {
		return nil
	}
	return ms
}

// condKeys names the keys of a condition mapping for a "not(...)" detail.
func condKeys(v Value) string {
	fields, _ := v.Fields()
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f.Key
	}
	return strings.Join(keys, ",")
}

func allOf(ms []Matcher) Matcher {
	return func(in *Input) (Hit, bool) {
		var out Hit
		for _, m := range ms {
			h, ok := m(in)
			if !ok {
				return Hit{}, false
			}
			out.Detail = joinDetail(out.Detail, h.Detail)
			if out.Zone == "" {
				out.Zone = h.Zone
			}
		}
		return out, true
	}
}

func anyOf(ms []Matcher) Matcher {
	return func(in *Input) (Hit, bool) {
		for _, m := range ms {
			if h, ok := m(in); ok {
				return h, true
			}
		}
		return Hit{}, false
	}
}

func notOf(m Matcher, detail string) Matcher {
	return func(in *Input) (Hit, bool) {
		if _, ok := m(in); ok {
			return Hit{}, false
		}
		return Hit{Detail: detail}, true
	}
}

func joinDetail(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}
