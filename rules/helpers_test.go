package rules

import (
	"errors"
	"strings"
	"testing"

	"milter91/internal/txn"
)

// src builds a Source named r.yml from lines joined with "\n", so that
// tests can state line numbers plainly.
func src(lines ...string) Source {
	return Source{Name: "r.yml", Data: []byte(strings.Join(lines, "\n") + "\n")}
}

// mustCompile compiles srcs and fails the test on any error.
func mustCompile(t *testing.T, srcs ...Source) *Set {
	t.Helper()
	set, err := Compile(srcs)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return set
}

// checkErrors asserts that err is an ErrorList whose entries, in order,
// start with the "file:line:col:" of want[i] and contain its message
// fragment; want entries are "file:line:col|fragment".
func checkErrors(t *testing.T, err error, want []string) {
	t.Helper()
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("got error %v (%T), want an ErrorList", err, err)
	}
	if len(list) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(list), len(want), list)
	}
	for i, w := range want {
		pos, frag, _ := strings.Cut(w, "|")
		got := list[i].Error()
		if !strings.HasPrefix(got, pos+": ") || !strings.Contains(got, frag) {
			t.Errorf("error %d = %q, want %s: ...%s...", i, got, pos, frag)
		}
	}
}

// condRule is a one-rule file whose condition is the flow mapping cond.
func condRule(cond string) Source {
	return src("rules:", "  - id: T", "    ref: test", "    score: 1", "    when: "+cond)
}

// evalCond compiles cond as a rule and reports whether it matched, with
// its detail.
func evalCond(t *testing.T, cond string, tx *txn.Transaction, f *txn.Facts) (bool, string) {
	t.Helper()
	v := mustCompile(t, condRule(cond)).Evaluate(tx, f)
	if len(v.Matches) == 0 {
		return false, ""
	}
	return true, v.Matches[0].Detail
}
