package dkimsign

import (
	"errors"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"milter91/internal/fileerr"
	"milter91/internal/yamlsafe"
)

// ParseSpecs reads the dkim.sign list of a daemon config file (YAML, other
// keys ignored) named name, and checks it with CheckSpecs. The errors are
// a fileerr.List at the file:line:col of each offending value. A file
// without dkim.sign gives no entries and no error. Parsing is bounded by
// yamlsafe; a panic of the YAML library is an Internal error.
func ParseSpecs(name string, data []byte) (specs []KeySpec, err error) {
	defer fileerr.Recover(name, "YAML parser", &err)
	tokens, err := yamlsafe.Tokens(name, data)
	if err != nil {
		return nil, fileerr.List{err.(fileerr.Error)}
	}
	file, err := parser.Parse(tokens, 0)
	if err != nil {
		return nil, fileerr.List{yamlErr(name, err)}
	}
	var doc struct {
		DKIM struct {
			Sign []KeySpec `yaml:"sign"`
		} `yaml:"dkim"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fileerr.List{yamlErr(name, err)}
	}
	if p := CheckSpecs(doc.DKIM.Sign); len(p) > 0 {
		return nil, PositionErrors(name, file, p)
	}
	return doc.DKIM.Sign, nil
}

// PositionErrors turns problems into errors at the positions of their
// paths in file (the syntax tree of the file named name): the value's
// own position, else that of the nearest enclosing key in the file.
func PositionErrors(name string, file *ast.File, problems Problems) fileerr.List {
	out := make(fileerr.List, 0, len(problems))
	for _, p := range problems {
		line, col := position(file, "$."+p.Path)
		out = append(out, fileerr.Error{File: name, Line: line, Col: col, Msg: p.Path + ": " + p.Msg})
	}
	return out
}

// position finds the node at path in file; 0, 0 when it is not there.
func position(file *ast.File, path string) (int, int) {
	for file != nil && len(path) > 1 {
		if p, err := yaml.PathString(path); err == nil {
			if n, err := p.FilterFile(file); err == nil && n != nil && n.GetToken() != nil {
				return n.GetToken().Position.Line, n.GetToken().Position.Column
			}
		}
		i := lastSep(path)
		if i <= 1 {
			break
		}
		path = path[:i]
	}
	return 0, 0
}

func lastSep(path string) int {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '.' || path[i] == '[' {
			return i
		}
	}
	return -1
}

func yamlErr(name string, err error) fileerr.Error {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		p := ye.GetToken().Position
		return fileerr.Error{File: name, Line: p.Line, Col: p.Column, Msg: ye.GetMessage()}
	}
	return fileerr.Error{File: name, Msg: err.Error()}
}
