package yamlsafe

import (
	"fmt"

	"github.com/goccy/go-yaml/ast"

	"milter91/internal/fileerr"
)

// MaxAliasNodes bounds the nodes that aliases add to a document when a
// decoder expands them: go-yaml copies an anchor's value at each alias,
// so 40 anchors that each merge the one before twice make 1.5 KiB of YAML
// expand to 2^40 nodes ("billion laughs"; 2^25 took 17 s). No config comes
// near the bound: an anchor shared by a few zones adds some tens of nodes.
const MaxAliasNodes = 100_000

// Aliases returns a fileerr.Error "YAML aliases expand to more than …" at
// the first alias whose expansion takes the nodes added by aliases in f
// past MaxAliasNodes, nil when within it. Each anchor's size is counted
// once, so the check is linear in the size of f whatever the expansion.
func Aliases(name string, f *ast.File) error {
	c := aliasCount{anchors: map[string][]ast.Node{}, sizes: map[string]int{}, values: map[ast.Node]int{}}
	for _, doc := range f.Docs {
		if doc != nil {
			ast.Walk(&c, doc.Body)
		}
	}
	for _, doc := range f.Docs {
		if doc == nil {
			continue
		}
		if _, err := c.size(doc.Body); err != nil {
			return fileerr.Error{File: name, Line: err.Line, Col: err.Column, Msg: fmt.Sprintf("YAML aliases expand to more than %d nodes", MaxAliasNodes)}
		}
	}
	return nil
}

// aliasCount collects the anchors of a file (ast.Walk) and then sizes its
// nodes with each alias counted as its anchor's value.
type aliasCount struct {
	anchors map[string][]ast.Node // anchor name → its values, as defined (a name may be reused)
	sizes   map[string]int        // anchor name → the largest of its values' sizes; -1 while being sized
	values  map[ast.Node]int      // an anchor's value → its size, so that each is walked once
	added   int                   // nodes aliases added so far
}

// Visit implements ast.Visitor.
func (c *aliasCount) Visit(n ast.Node) ast.Visitor {
	if a, ok := n.(*ast.AnchorNode); ok && a.Name != nil && a.Name.GetToken() != nil {
		name := a.Name.GetToken().Value
		c.anchors[name] = append(c.anchors[name], a.Value)
	}
	if n == nil {
		return nil
	}
	return c
}

// size returns the number of nodes n stands for once its aliases are
// expanded; the error is the position of the alias past the bound.
func (c *aliasCount) size(n ast.Node) (int, *position) {
	switch n := n.(type) {
	case nil:
		return 0, nil
	case *ast.AliasNode:
		s := c.anchorSize(n.Value)
		if c.added += s; c.added > MaxAliasNodes {
			return 0, positionOf(n)
		}
		return s, nil
	case *ast.AnchorNode:
		return c.valueSize(n.Value)
	case *ast.TagNode:
		return c.size(n.Value)
	case *ast.MappingKeyNode:
		return c.size(n.Value)
	case *ast.MappingValueNode:
		return c.sum(1, n.Key, n.Value)
	case *ast.MappingNode:
		nodes := make([]ast.Node, len(n.Values))
		for i, v := range n.Values {
			nodes[i] = v
		}
		return c.sum(1, nodes...)
	case *ast.SequenceNode:
		return c.sum(1, n.Values...)
	}
	return 1, nil
}

// sum is base plus the sizes of nodes.
func (c *aliasCount) sum(base int, nodes ...ast.Node) (int, *position) {
	total := base
	for _, n := range nodes {
		s, err := c.size(n)
		if err != nil {
			return 0, err
		}
		total += s
	}
	return total, nil
}

// anchorSize is the size of the anchor an alias names (the largest of its
// definitions), computed once; an alias inside its own anchor counts 1.
func (c *aliasCount) anchorSize(nameNode ast.Node) int {
	if nameNode == nil || nameNode.GetToken() == nil {
		return 1
	}
	name := nameNode.GetToken().Value
	if s, ok := c.sizes[name]; ok {
		return max(s, 1)
	}
	c.sizes[name] = -1
	best := 1
	for _, v := range c.anchors[name] {
		// Sizing the anchor's value counts the aliases inside it once,
		// toward the bound, whatever the number of its uses.
		s, err := c.valueSize(v)
		if err != nil {
			s = MaxAliasNodes + 1
		}
		best = max(best, s)
	}
	c.sizes[name] = best
	return best
}

// valueSize is size for the value of an anchor, walked once however
// often the anchor is defined, used or nested in other anchors.
func (c *aliasCount) valueSize(v ast.Node) (int, *position) {
	if s, ok := c.values[v]; ok {
		return s, nil
	}
	s, err := c.size(v)
	if err == nil {
		c.values[v] = s
	}
	return s, err
}

// position is a line and column.
type position struct{ Line, Column int }

func positionOf(n ast.Node) *position {
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return &position{Line: tk.Position.Line, Column: tk.Position.Column}
	}
	return &position{}
}
