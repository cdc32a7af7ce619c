package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"milter91/internal/fileerr"
	"milter91/internal/yamlsafe"
)

// Error is one configuration problem at a position (1-based line and
// column; 0 when unknown).
type Error = fileerr.Error

// ErrorList is every problem found in one file, in file order.
type ErrorList = fileerr.List

// Parse validates data (YAML) over the embedded defaults; name is used in
// error positions. A nil data gives the defaults. Errors are an
// ErrorList whose positions lie inside data; YAML tags (!x) are refused,
// and a panic in the YAML library is an Internal Error at 1:1.
func Parse(name string, data []byte) (cfg *Config, err error) {
	defer fileerr.Recover(name, "YAML parser", &err)
	data = bytes.TrimPrefix(data, []byte("\uFEFF")) // a BOM some editors write
	cfg, err = parse(name, data)
	var list ErrorList
	if errors.As(err, &list) {
		list.ClampTo(name, data)
	}
	return cfg, err
}

// unmarshal decodes YAML into the raw config; a variable so that a test
// can stand in for a library that panics.
var unmarshal = yaml.UnmarshalWithOptions

func parse(name string, data []byte) (*Config, error) {
	var r raw
	if err := yaml.UnmarshalWithOptions(defaultYAML, &r, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("config: embedded default: %w", err)
	}
	var file *ast.File
	if len(data) > 0 {
		f, errs := parseFile(name, data)
		if len(errs) > 0 {
			return nil, errs
		}
		if err := unmarshal(data, &r, yaml.Strict()); err != nil {
			return nil, ErrorList{yamlError(name, err)}
		}
		file = f
	}
	v := &validator{name: name, file: file}
	cfg := v.validate(&r)
	if len(v.errs) > 0 {
		// File order reads best; errors without a position (a value from
		// the defaults) keep their order at the end.
		slices.SortStableFunc(v.errs, func(a, b Error) int {
			if (a.Line == 0) != (b.Line == 0) {
				return cmp.Compare(b.Line, a.Line) // positioned first
			}
			return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
		})
		return nil, v.errs
	}
	cfg.Source = name
	cfg.file = file
	return cfg, nil
}

// parseFile parses data into its syntax tree, for positions: its nesting
// bounded first (yamlsafe), then the parser's first syntax error, then
// what its aliases would expand to (yamlsafe.Aliases), then every YAML tag, which the config does not use (a tag on a value decoded
// into a list crashed go-yaml v1.19.2).
func parseFile(name string, data []byte) (*ast.File, ErrorList) {
	tokens, err := yamlsafe.Tokens(name, data)
	if err != nil {
		return nil, ErrorList{err.(Error)}
	}
	f, err := parser.Parse(tokens, 0)
	if err != nil {
		return nil, ErrorList{yamlError(name, err)}
	}
	if err := yamlsafe.Aliases(name, f); err != nil {
		return nil, ErrorList{err.(Error)}
	}
	var tags tagFinder
	for _, doc := range f.Docs {
		if doc != nil && doc.Body != nil {
			ast.Walk(&tags, doc.Body)
		}
	}
	var errs ErrorList
	for _, tk := range tags {
		errs = append(errs, Error{File: name, Line: tk.Position.Line, Col: tk.Position.Column,
			Msg: fmt.Sprintf("YAML tag %s: tags are not supported in the config; quote the value instead", tk.Value)})
	}
	return f, errs
}

// tagFinder collects the tokens of the tags of a syntax tree (ast.Walk).
type tagFinder []*token.Token

// Visit implements ast.Visitor.
func (t *tagFinder) Visit(n ast.Node) ast.Visitor {
	if n == nil {
		return nil
	}
	if tag, ok := n.(*ast.TagNode); ok && tag.Start != nil && tag.Start.Position != nil {
		*t = append(*t, tag.Start)
	}
	return t
}

// yamlError converts a go-yaml error into an Error with its position.
func yamlError(name string, err error) Error {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		p := ye.GetToken().Position
		return Error{File: name, Line: p.Line, Col: p.Column, Msg: plainTypeError(ye.GetMessage())}
	}
	return Error{File: name, Msg: err.Error()}
}

// position finds the YAML node at path (e.g. "$.dns.timeout") in the
// user's file; 0, 0 when it is not there (the value came from a default).
func position(file *ast.File, path string) (int, int) {
	if file == nil {
		return 0, 0
	}
	for path != "" {
		if p, err := yaml.PathString(path); err == nil {
			if n, err := p.FilterFile(file); err == nil && n != nil && n.GetToken() != nil {
				return n.GetToken().Position.Line, n.GetToken().Position.Column
			}
		}
		// A scalar where a list was allowed, or a missing leaf: point at the parent.
		i := strings.LastIndexAny(path, ".[")
		if i <= 1 {
			break
		}
		path = path[:i]
	}
	return 0, 0
}

var goTypeError = regexp.MustCompile(`cannot unmarshal (.+?) into Go (?:struct field|value of type) \S*?\.?([A-Za-z]*)\.?[A-Za-z]* ?(?:of type (\S+))?`)

// plainTypeError rewrites go-yaml's Go-typed messages ("cannot unmarshal
// string into Go struct field raw.DNS of type int") in YAML terms.
func plainTypeError(msg string) string {
	m := goTypeError.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	want := map[string]string{"int": "a whole number", "bool": "true or false", "string": "a string",
		"[]string": "a list of strings", "*int": "a whole number", "*bool": "true or false"}[m[3]]
	if want == "" {
		want = "another type"
	}
	return fmt.Sprintf("wrong type: want %s, got a %s", want, yamlKind(m[1]))
}

func yamlKind(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "list"
	case strings.HasPrefix(goType, "map"), goType == "interface {}":
		return "mapping"
	case goType == "uint64" || goType == "int64" || goType == "float64":
		return "number"
	}
	return goType
}
