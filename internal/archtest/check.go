package archtest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strings"
)

// Rule is one import rule: the packages From (less Skip) must not depend
// on a package matching Forbid (less Except). Patterns are import paths,
// "/..." meaning the package and every one below it.
type Rule struct {
	// Name says what holds, in words; failure messages start with it.
	Name   string
	From   []string
	Skip   []string
	Forbid []string
	Except []string
	// Direct: only the packages' own imports count; otherwise any
	// dependency, through any chain of imports.
	Direct bool
}

// SourceRule forbids a construct in the non-test Go files of Packages:
// Forbid is "panic" (a call of the builtin) or "init" (a func init).
type SourceRule struct {
	Name     string
	Packages []string
	Forbid   string
}

// Violation is one place a rule is broken: Detail is the import chain
// ("a → b → c") or the file position and construct.
type Violation struct {
	Rule   string
	Detail string
}

func (v Violation) String() string { return v.Rule + ": " + v.Detail }

// Check returns the violations of r in g, in package order. For a
// dependency rule the chain is the shortest from the package to the first
// forbidden package on it; packages reached only through a forbidden
// package are not reported again.
func Check(g *Graph, r Rule) []Violation {
	var out []Violation
	for _, pkg := range sortedKeys(g.Imports) {
		if !matchAny(r.From, pkg) || matchAny(r.Skip, pkg) {
			continue
		}
		for _, chain := range forbiddenChains(g, r, pkg) {
			out = append(out, Violation{Rule: r.Name, Detail: strings.Join(chain, " → ")})
		}
	}
	return out
}

// forbiddenChains walks pkg's imports breadth first (only the direct
// ones for a Direct rule) and returns the chain to each forbidden
// package it reaches, not walking past one.
func forbiddenChains(g *Graph, r Rule, pkg string) [][]string {
	parent := map[string]string{pkg: ""}
	queue := []string{pkg}
	var out [][]string
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, imp := range g.Imports[cur] {
			if _, seen := parent[imp]; seen {
				continue
			}
			parent[imp] = cur
			switch {
			case matchAny(r.Forbid, imp) && !matchAny(r.Except, imp):
				out = append(out, chainTo(parent, imp))
			case !r.Direct:
				queue = append(queue, imp)
			}
		}
	}
	return out
}

func chainTo(parent map[string]string, pkg string) []string {
	var chain []string
	for p := pkg; p != ""; p = parent[p] {
		chain = append(chain, p)
	}
	slices.Reverse(chain)
	return chain
}

// CheckSource returns the violations of r in the packages of g it names.
// Errors: a file that does not parse.
func CheckSource(g *Graph, r SourceRule) ([]Violation, error) {
	var out []Violation
	fset := token.NewFileSet()
	for _, pkg := range sortedKeys(g.Files) {
		if !matchAny(r.Packages, pkg) {
			continue
		}
		for _, name := range g.Files[pkg] {
			f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
			if err != nil {
				return nil, err
			}
			for _, pos := range Find(f, r.Forbid) {
				p := fset.Position(pos)
				out = append(out, Violation{Rule: r.Name, Detail: fmt.Sprintf("%s:%d: %s", p.Filename, p.Line, r.Forbid)})
			}
		}
	}
	return out, nil
}

// Find returns where f has the construct forbid names ("panic": a call
// of panic; "init": a func init), in file order.
func Find(f *ast.File, forbid string) []token.Pos {
	var out []token.Pos
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if id, ok := n.Fun.(*ast.Ident); ok && forbid == "panic" && id.Name == "panic" {
				out = append(out, n.Pos())
			}
		case *ast.FuncDecl:
			if forbid == "init" && n.Recv == nil && n.Name.Name == "init" {
				out = append(out, n.Pos())
			}
		}
		return true
	})
	return out
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
