package rules

import (
	"errors"
	"strings"
	"testing"
)

// panickingFact is a fact whose compiler has a bug; its name is one no
// rule file or fuzz input would write.
const panickingFact = "zz_test_only.compiler_panics"

// withPanickingFact adds panickingFact to a Compile.
var withPanickingFact = WithFact(panickingFact, func(v Value) (Matcher, error) {
	words := strings.Fields(v.Kind()[len(v.Kind()):]) // none
	return nil, errors.New(words[0])                  // index out of range
})

// A panic while compiling one source is an Internal error of that source
// at 1:1, and the other sources are still checked: a reload then keeps
// the running rules instead of ending the daemon.
func TestCompileRecoversPanic(t *testing.T) {
	good := Source{Name: "good.yml", Data: []byte("rules:\n  - {id: G, ref: x, score: 1, when: {spf: fail}}\n")}
	buggy := Source{Name: "buggy.yml", Data: []byte("rules:\n  - {id: B, ref: x, score: 1, when: {" + panickingFact + ": 1}}\n")}
	typo := Source{Name: "typo.yml", Data: []byte("rules:\n  - {id: T, ref: x, score: 1, when: {spf: fial}}\n")}
	set, err := Compile([]Source{good, buggy, typo}, withPanickingFact)
	var list ErrorList
	if set != nil || !errors.As(err, &list) || len(list) != 2 {
		t.Fatalf("Compile = %v, %v; want two errors", set, err)
	}
	if e := list[0]; !e.Internal || !strings.HasPrefix(e.Error(), "buggy.yml:1:1: rule compiler failed: runtime error: index out of range [0] with length 0") {
		t.Errorf("first error %q (internal %v), want buggy.yml:1:1 and the panic", e.Error(), e.Internal)
	}
	if e := list[1]; e.Internal || !strings.HasPrefix(e.Error(), "typo.yml:2:") {
		t.Errorf("second error %q, want typo.yml's own error", e.Error())
	}
}
