package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"milter91/dnsbl"
	"milter91/rules"
)

// LoadRules compiles the rules c names, as serve and `rules lint
// --config` load them: the embedded defaults (unless rules.defaults is
// off), then rules.paths and extra (files or directories), as one set, so
// that an override in a later file sees the shipped rule it overrides;
// then it checks that the zones and lists the rules name are configured
// (CheckRuleRefs). Errors are lists of file:line:col problems: a rule
// path that cannot be read is placed at its rules.paths entry.
func (c *Config) LoadRules(extra ...string) (*rules.Set, error) {
	set, err := c.CompileRules(extra...)
	if err != nil {
		return nil, err
	}
	return set, c.CheckRuleRefs(set)
}

// CompileRules is LoadRules without the check of the zones and lists the
// rules name, for `rules lint` without a daemon config.
func (c *Config) CompileRules(extra ...string) (*rules.Set, error) {
	var sources []rules.Source
	if c.Rules.Defaults {
		sources = append(sources, rules.Defaults()...)
	}
	files, err := rules.ReadPaths(uniquePaths(append(slices.Clone(c.Rules.Paths), extra...))...)
	if err != nil {
		return nil, c.atRulePaths(err)
	}
	return rules.Compile(append(sources, files...))
}

// uniquePaths drops the paths that name a file or directory already in
// paths (`rules lint --config X rules.d` where X loads rules.d too), which
// would otherwise read as duplicate rule ids.
func uniquePaths(paths []string) []string {
	seen := map[string]bool{}
	out := paths[:0]
	for _, p := range paths {
		key := filepath.Clean(p)
		if abs, err := filepath.Abs(p); err == nil {
			key = abs
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, p)
		}
	}
	return out
}

// atRulePaths places the errors of rules.ReadPaths about c's own
// rules.paths entries (a path that cannot be read) at the entry, where
// the admin wrote the name; a bad line inside a file keeps its own
// path:line.
func (c *Config) atRulePaths(err error) error {
	var list rules.ErrorList
	if !errors.As(err, &list) {
		return err
	}
	out := make(rules.ErrorList, len(list))
	for j, e := range list {
		if i := slices.Index(c.Rules.Paths, e.File); i >= 0 && e.Line == 0 {
			e = c.ErrorAt(fmt.Sprintf("rules.paths[%d]", i), "rules.paths[%d]: %s: %s", i, e.File, e.Msg)
		}
		out[j] = e
	}
	return out
}

// CheckRuleRefs reports, at their positions in the rule files, the zones
// and lists set's rules name that c does not configure (a zone or list of
// the wrong kind included): such a condition could never match, which a
// typo must not do silently. nil when all are configured.
func (c *Config) CheckRuleRefs(set *rules.Set) error {
	zones, kinds := map[string]string{}, map[string]string{} // zone → type, list → kind
	var zoneNames, listNames []string
	for _, z := range c.DNSBL.Zones {
		typ := z.Type
		if typ == "" {
			typ = dnsbl.TypeIP
		}
		zones[z.Name] = typ
		zoneNames = append(zoneNames, z.Name)
	}
	for _, l := range c.Lists {
		kind := l.Kind
		if kind == "" {
			kind = dnsbl.KindBlock
		}
		kinds[l.Name] = kind
		listNames = append(listNames, l.Name+" ("+kind+")")
	}
	var errs rules.ErrorList
	for _, r := range set.Refs() {
		e := rules.Error{File: r.File, Line: r.Line, Col: r.Col}
		typ, zoneKind := zones[r.Name], strings.HasSuffix(r.Kind, "zone")
		switch {
		case zoneKind && typ == "":
			e.Msg = fmt.Sprintf("zone %q is not in dnsbl.zones of %s (configured: %s)", r.Name, c.Source, orNone(zoneNames))
		case r.Kind == "ip zone" && typ != dnsbl.TypeIP, r.Kind == "domain zone" && typ != dnsbl.TypeDomain:
			e.Msg = fmt.Sprintf("zone %q is of type %s, and this fact needs a zone of type %s (dnsbl: ip, rhsbl: domain)",
				r.Name, typ, strings.TrimSuffix(r.Kind, " zone"))
		case r.Kind == "blocklist" && kinds[r.Name] != dnsbl.KindBlock, r.Kind == "allowlist" && kinds[r.Name] != dnsbl.KindAllow:
			e.Msg = fmt.Sprintf("%s: no %s list %q in lists of %s (configured: %s)", r.Kind, strings.TrimSuffix(r.Kind, "list"), r.Name, c.Source, orNone(listNames))
		default:
			continue
		}
		errs = append(errs, e)
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
