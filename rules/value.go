package rules

import (
	"fmt"
	"math"

	"github.com/goccy/go-yaml/ast"
)

// Value is one YAML node of a rule source with the source name, so that
// every problem found in it can be reported as file:line:col. Fact
// compilers (the fact table, WithFact) receive the value written after the fact key.
//
// Anchors (&a), aliases (*a), tags (!!str) and merge keys (<<) are refused
// by every accessor: a rule must read on its own.
type Value struct {
	file string
	node ast.Node // nil for an empty document
	key  ast.Node // the mapping key v is the value of, if any
	refs *[]Ref   // where Refer records, shared by one Compile; may be nil
}

// Ref is a name a rule refers to that only the daemon config defines: a
// blocklist zone or a local list. The config is not known while rules
// compile, so they are checked after (see Set.Refs).
type Ref struct {
	Kind string // "zone", "blocklist" or "allowlist"
	Name string // as written, normalised by the fact (zones: lower case, no final dot)
	// File, Line and Col give where the rule names it.
	File      string
	Line, Col int
}

// Refer records that v names name of kind (see Ref).
func (v Value) Refer(kind, name string) {
	if v.refs == nil {
		return
	}
	line, col := v.Pos()
	*v.refs = append(*v.refs, Ref{Kind: kind, Name: name, File: v.file, Line: line, Col: col})
}

// Field is one key: value entry of a YAML mapping.
type Field struct {
	Key   string // the key text
	KeyAt Value  // the key itself, for errors about the key
	Value Value
}

// Pos returns the 1-based line and column of v: for a block mapping, of its
// first key; for an empty value, of its key. 0, 0 when unknown.
func (v Value) Pos() (line, col int) {
	n := v.node
	if v.IsNull() && v.key != nil {
		// `key:` with nothing after it: point at the key, not past it.
		n = v.key
	}
	if m, ok := n.(*ast.MappingNode); ok && !m.IsFlowStyle && len(m.Values) > 0 {
		n = m.Values[0]
	}
	if mv, ok := n.(*ast.MappingValueNode); ok && mv.Key != nil {
		n = mv.Key
	}
	if n == nil {
		return 0, 0
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return 0, 0
	}
	return tk.Position.Line, tk.Position.Column
}

// Errorf returns an Error at v's position.
func (v Value) Errorf(format string, args ...any) Error {
	line, col := v.Pos()
	if line == 0 {
		line, col = 1, 1
	}
	return Error{File: v.file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// Kind names v's YAML type for messages: "a string", "a list", ...
func (v Value) Kind() string {
	switch v.node.(type) {
	case nil, *ast.NullNode:
		return "an empty value"
	case *ast.StringNode, *ast.LiteralNode:
		return "a string"
	case *ast.IntegerNode:
		return "an integer"
	case *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "a number"
	case *ast.BoolNode:
		return "a boolean"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	default:
		return "a YAML " + v.node.Type().String()
	}
}

// IsNull reports whether v is empty (`key:` with nothing, `~`, `null`).
func (v Value) IsNull() bool {
	switch v.node.(type) {
	case nil, *ast.NullNode:
		return true
	}
	return false
}

// refused reports the YAML features rule files do not accept.
func (v Value) refused() error {
	switch v.node.(type) {
	case *ast.AnchorNode:
		return v.Errorf("YAML anchors (&name) are not supported in rule files; write the value out")
	case *ast.AliasNode:
		return v.Errorf(`YAML aliases (*name) are not supported in rule files; quote "*" for the wildcard`)
	case *ast.TagNode:
		return v.Errorf("YAML tags (!!type) are not supported in rule files; quote the value instead")
	}
	return nil
}

// Text returns a scalar as written: a string, or an integer or float in its
// source spelling (so `helo: 1234` is the text "1234"). Booleans, empty
// values, lists and mappings are errors.
func (v Value) Text() (string, error) {
	if err := v.refused(); err != nil {
		return "", err
	}
	switch n := v.node.(type) {
	case *ast.StringNode:
		return n.Value, nil
	case *ast.LiteralNode:
		if n.Value == nil {
			return "", nil
		}
		return n.Value.Value, nil
	case *ast.IntegerNode, *ast.FloatNode:
		return n.GetToken().Value, nil
	}
	return "", v.Errorf("want a string, got %s", v.Kind())
}

// Bool returns a YAML boolean (true or false).
func (v Value) Bool() (bool, error) {
	if err := v.refused(); err != nil {
		return false, err
	}
	if b, ok := v.node.(*ast.BoolNode); ok {
		return b.Value, nil
	}
	if s, ok := v.node.(*ast.StringNode); ok {
		return false, v.Errorf("want true or false, got the string %q (YAML 1.2: yes, no, on, off are strings)", s.Value)
	}
	return false, v.Errorf("want true or false, got %s", v.Kind())
}

// Int returns a YAML integer within int64.
func (v Value) Int() (int64, error) {
	if err := v.refused(); err != nil {
		return 0, err
	}
	if n, ok := v.node.(*ast.IntegerNode); ok {
		switch i := n.Value.(type) {
		case int64:
			return i, nil
		case uint64:
			if i <= math.MaxInt64 {
				return int64(i), nil
			}
		}
		return 0, v.Errorf("integer %s is too large", n.GetToken().Value)
	}
	return 0, v.Errorf("want an integer, got %s", v.Kind())
}

// Number returns a finite YAML integer or float.
func (v Value) Number() (float64, error) {
	if err := v.refused(); err != nil {
		return 0, err
	}
	switch n := v.node.(type) {
	case *ast.IntegerNode:
		switch i := n.Value.(type) {
		case int64:
			return float64(i), nil
		case uint64:
			return float64(i), nil
		}
	case *ast.FloatNode:
		if !math.IsInf(n.Value, 0) && !math.IsNaN(n.Value) {
			return n.Value, nil
		}
	case *ast.InfinityNode, *ast.NanNode:
	default:
		return 0, v.Errorf("want a number, got %s", v.Kind())
	}
	return 0, v.Errorf("want a finite number")
}

// Items returns a list's entries, or v itself when v is not a list, so that
// "a string or a list of strings" reads the same both ways. An empty list
// is an error: it would silently match nothing.
func (v Value) Items() ([]Value, error) {
	if err := v.refused(); err != nil {
		return nil, err
	}
	seq, ok := v.node.(*ast.SequenceNode)
	if !ok {
		return []Value{v}, nil
	}
	if len(seq.Values) == 0 {
		return nil, v.Errorf("empty list")
	}
	out := make([]Value, len(seq.Values))
	for i, n := range seq.Values {
		out[i] = Value{file: v.file, node: n, refs: v.refs}
	}
	return out, nil
}

// Fields returns a mapping's entries in order. Entries whose key is not a
// plain scalar are reported in the error and left out of the result, which
// holds the usable entries even when the error is not nil.
func (v Value) Fields() ([]Field, error) {
	if err := v.refused(); err != nil {
		return nil, err
	}
	var entries []*ast.MappingValueNode
	switch n := v.node.(type) {
	case *ast.MappingNode:
		entries = n.Values
	case *ast.MappingValueNode:
		entries = []*ast.MappingValueNode{n}
	default:
		return nil, v.Errorf("want a mapping, got %s", v.Kind())
	}
	var errs ErrorList
	out := make([]Field, 0, len(entries))
	for _, e := range entries {
		key := Value{file: v.file, node: e.Key, refs: v.refs}
		if _, merge := e.Key.(*ast.MergeKeyNode); merge {
			errs = append(errs, key.Errorf("YAML merge keys (<<) are not supported in rule files"))
			continue
		}
		name, err := key.Text()
		if err != nil {
			errs = append(errs, positioned(key, err)...)
			continue
		}
		out = append(out, Field{Key: name, KeyAt: key, Value: Value{file: v.file, node: e.Value, key: e.Key, refs: v.refs}})
	}
	if len(errs) > 0 {
		return out, errs
	}
	return out, nil
}

// isList reports whether v is a YAML sequence.
func isList(v Value) bool {
	_, ok := v.node.(*ast.SequenceNode)
	return ok
}

// isMapping reports whether v is a YAML mapping.
func isMapping(v Value) bool {
	switch v.node.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return true
	}
	return false
}
