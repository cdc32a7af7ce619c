package rules

import (
	"strings"

	"milter91/internal/txn"
)

// Local list facts (rows of factTable) over Facts.Lists (Decree 91/2020
// Art. 8, 9.12: the national blacklist as a file; the operator's block and
// allow lists). Values are list names as configured (daemon YAML
// lists[].name), or "*" for any list of the kind.

// listFact: true when a named list of kind had an entry matching the
// client address or a domain or address of the message. The {zone}
// placeholder shows the list name. Detail: "national: 192.0.2.1 (client)
// entry 192.0.2.0/24".
func listFact(fact, kind string) FactCompiler {
	return func(v Value) (Matcher, error) {
		names := map[string]bool{}
		err := eachText(v, func(at Value, s string) error {
			if s != "*" && !txn.ListName.MatchString(s) {
				return at.Errorf("%s: %q is not a list name (letters, digits, - _ . ; or \"*\" for any list)", fact, s)
			}
			if s != "*" {
				at.Refer(fact, s)
			}
			names[s] = true
			return nil
		})
		if err != nil {
			return nil, err
		}
		return func(in *Input) (Hit, bool) {
			for i := range in.Facts.Lists {
				l := &in.Facts.Lists[i]
				if l.Kind == kind && (names["*"] || names[l.List]) {
					return Hit{Zone: l.List, Detail: listDetail(l)}, true
				}
			}
			return Hit{}, false
		}, nil
	}
}

func listDetail(l *txn.ListHit) string {
	d := l.List + ": " + l.Target + " (" + strings.Join(l.Sources, ",") + ") entry " + l.Entry
	if r := l.Request(); r != "" {
		d += " (authority request " + r + ")"
	}
	return d
}
