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

	"milter91/fileerr"
)

// Error is one configuration problem at a position (1-based line and
// column; 0 when unknown).
type Error = fileerr.Error

// ErrorList is every problem found in one file, in file order.
type ErrorList = fileerr.List

// Parse validates data (YAML) over the embedded defaults; name is used in
// error positions. A nil data gives the defaults. Errors are an
// ErrorList whose positions lie inside data.
func Parse(name string, data []byte) (*Config, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF")) // a BOM some editors write
	cfg, err := parse(name, data)
	var list ErrorList
	if errors.As(err, &list) {
		clampPositions(list, data)
	}
	return cfg, err
}

func parse(name string, data []byte) (*Config, error) {
	var r raw
	if err := yaml.UnmarshalWithOptions(defaultYAML, &r, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("config: embedded default: %w", err)
	}
	var file *ast.File
	if len(data) > 0 {
		if err := yaml.UnmarshalWithOptions(data, &r, yaml.Strict()); err != nil {
			return nil, ErrorList{yamlError(name, err)}
		}
		f, err := parser.ParseBytes(data, 0)
		if err != nil {
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
	return cfg, nil
}

// lineBreak is a YAML line break (YAML 1.2 §5.4).
var lineBreak = regexp.MustCompile(`\r\n|\r|\n`)

// clampPositions keeps each error's position inside data: go-yaml places
// some (an empty list item, a bad escape before a line break) past the end
// of their line.
func clampPositions(list ErrorList, data []byte) {
	lines := lineBreak.Split(string(data), -1)
	for i := range list {
		e := &list[i]
		if e.Line <= 0 {
			continue
		}
		e.Line = min(e.Line, len(lines))
		e.Col = min(e.Col, len(lines[e.Line-1])+1)
	}
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
