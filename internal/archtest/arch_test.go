package archtest

import (
	"context"
	"go/parser"
	"go/token"
	"slices"
	"sync"
	"testing"
)

// module lists the module's packages and their dependencies once.
var module = sync.OnceValues(func() (*Graph, error) {
	return Load(context.Background(), ".", "milter91/...")
})

func loadModule(t *testing.T) *Graph {
	t.Helper()
	g, err := module()
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Imports["milter91/milter"]) == 0 || len(g.Files["milter91/internal/engine"]) == 0 {
		t.Fatalf("go list found no milter91/milter imports or engine files: %d packages", len(g.Imports))
	}
	return g
}

// The module holds every enforced rule; a failure names the rule and
// the import chain (or the file line) that breaks it.
func TestArchitecture(t *testing.T) {
	g := loadModule(t)
	for _, r := range Enforced {
		for _, v := range Check(g, r) {
			t.Error(v)
		}
	}
	for _, r := range EnforcedSource {
		vs, err := CheckSource(g, r)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			t.Error(v)
		}
	}
}

// A pending rule is still broken: its violations are logged. Once one
// holds the test fails, so that the rule moves to the enforced list.
func TestPendingRules(t *testing.T) {
	g := loadModule(t)
	report := func(name string, vs []Violation) {
		if len(vs) == 0 {
			t.Errorf("pending rule %q holds now: move it to the enforced rules (rules.go)", name)
			return
		}
		for _, v := range vs {
			t.Logf("pending, still violated: %s", v)
		}
	}
	for _, r := range Pending {
		report(r.Name, Check(g, r))
	}
	for _, r := range PendingSource {
		vs, err := CheckSource(g, r)
		if err != nil {
			t.Fatal(err)
		}
		report(r.Name, vs)
	}
}

// fake is a small graph with the shapes the rules look for.
func fake() *Graph {
	return &Graph{Imports: map[string][]string{
		"m/cmd/app":                   {"m/milter", "m/config"},
		"m/milter":                    {"m/archive", "m/txn", "fmt"},
		"m/config":                    {"m/sockaddr", "m/txn"},
		"m/archive":                   {"m/sqldb", "m/txn"},
		"m/sqldb":                     {"example.com/sqlite/lib"},
		"m/txn":                       {"m/view"},
		"m/view":                      {"fmt"},
		"m/sockaddr":                  {"net"},
		"example.com/sqlite/lib":      {"example.com/sqlite/internal"},
		"example.com/sqlite/internal": nil,
		"fmt":                         nil,
		"net":                         nil,
	}}
}

func details(vs []Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Detail)
	}
	return out
}

// A broken dependency rule is reported once per package, with the
// shortest chain to the first forbidden package on it; a clean one not.
func TestCheckDependencyChain(t *testing.T) {
	r := Rule{Name: "adapter links no store", From: []string{"m/milter", "m/config"},
		Forbid: []string{"m/sqldb", "m/archive", "example.com/sqlite/..."}}
	vs := Check(fake(), r)
	if got, want := details(vs), []string{"m/milter → m/archive"}; !slices.Equal(got, want) {
		t.Fatalf("violations %q, want %q", got, want)
	}
	if s := vs[0].String(); s != "adapter links no store: m/milter → m/archive" {
		t.Errorf("message %q names neither the rule nor the chain", s)
	}
	r.Forbid = []string{"example.com/sqlite/..."}
	if got, want := details(Check(fake(), r)), []string{"m/milter → m/archive → m/sqldb → example.com/sqlite/lib"}; !slices.Equal(got, want) {
		t.Errorf("violations %q, want %q", got, want)
	}
}

// Direct rules count only a package's own imports; Skip and Except
// leave packages out on either side.
func TestCheckDirectSkipExcept(t *testing.T) {
	g := fake()
	direct := Rule{Name: "d", From: []string{"m/..."}, Forbid: []string{"m/sqldb"}, Direct: true}
	if got, want := details(Check(g, direct)), []string{"m/archive → m/sqldb"}; !slices.Equal(got, want) {
		t.Errorf("direct: %q, want %q", got, want)
	}
	values := Rule{Name: "v", From: []string{"m/txn", "m/view"}, Forbid: []string{"m/..."}}
	if got, want := details(Check(g, values)), []string{"m/txn → m/view"}; !slices.Equal(got, want) {
		t.Errorf("values: %q, want %q", got, want)
	}
	values.Except = []string{"m/view"}
	if vs := Check(g, values); len(vs) != 0 {
		t.Errorf("with the exception: %v, want none", vs)
	}
	cmd := Rule{Name: "c", From: []string{"m/..."}, Skip: []string{"m/cmd/..."}, Forbid: []string{"m/cmd/..."}}
	if vs := Check(g, cmd); len(vs) != 0 {
		t.Errorf("cmd rule on a graph where nothing imports cmd: %v", vs)
	}
	g.Imports["m/config"] = append(g.Imports["m/config"], "m/cmd/app")
	if got, want := details(Check(g, cmd)), []string{"m/config → m/cmd/app"}; !slices.Equal(got, want) {
		t.Errorf("cmd rule: %q, want %q", got, want)
	}
}

// The source checks find calls of panic and func init, not methods or
// functions of those names elsewhere.
func TestFind(t *testing.T) {
	src := `package p

func init() {}

type T struct{}

func (T) init() {}

func f(err error) {
	if err != nil {
		panic(err.Error())
	}
	var t T
	t.init()
	recover()
}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	lines := func(forbid string) []int {
		var out []int
		for _, p := range Find(f, forbid) {
			out = append(out, fset.Position(p).Line)
		}
		return out
	}
	if got := lines("panic"); !slices.Equal(got, []int{11}) {
		t.Errorf("panic at lines %v, want [11]", got)
	}
	if got := lines("init"); !slices.Equal(got, []int{3}) {
		t.Errorf("init at lines %v, want [3]", got)
	}
}

// Match takes a path or a "/..." subtree.
func TestMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, pkg string
		want         bool
	}{
		{"m/a", "m/a", true}, {"m/a", "m/ab", false}, {"m/a/...", "m/a", true}, {"m/a/...", "m/a/b/c", true},
		{"m/a/...", "m/ab", false}, {"m/...", "mx/a", false},
	} {
		if got := Match(c.pattern, c.pkg); got != c.want {
			t.Errorf("Match(%q, %q) = %v", c.pattern, c.pkg, got)
		}
	}
}
