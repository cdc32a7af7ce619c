package rules

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"milter91/internal/fileerr"
	"milter91/internal/yamlsafe"
)

// maxSourceBytes bounds one source (1 MiB); its nesting is bounded by
// yamlsafe.Tokens.
const maxSourceBytes = 1 << 20

// Source is one rule file: Name is used in error positions (a path, or
// "defaults/auth.yml" for the embedded rules), Data is its YAML text.
type Source struct {
	Name string
	Data []byte
}

// yamlError is the error interface of github.com/goccy/go-yaml's errors:
// each carries the token where the problem was found.
type yamlError interface {
	GetToken() *token.Token
	GetMessage() string
}

// parseSource parses src into its single document's root value; a source
// with no document, or an empty one, gives a null Value.
func parseSource(src Source) (root Value, err error) {
	root = Value{file: src.Name}
	src.Data = bytes.TrimPrefix(src.Data, []byte("\uFEFF")) // editors' BOM is not YAML content
	if len(src.Data) > maxSourceBytes {
		return root, Error{File: src.Name, Msg: fmt.Sprintf("larger than %d bytes", maxSourceBytes)}
	}
	// The YAML library is third-party code fed with admin input: a panic
	// in it must be an error here, not a crashed daemon.
	defer fileerr.Recover(src.Name, "YAML parser", &err)
	tokens, err := yamlsafe.Tokens(src.Name, src.Data)
	if err != nil {
		return root, err
	}
	f, perr := parser.Parse(tokens, 0)
	if perr != nil {
		return root, syntaxError(src, perr)
	}
	var docs []*ast.DocumentNode
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	if len(docs) > 1 {
		return root, Value{file: src.Name, node: docs[1].Body}.Errorf("one YAML document per file (found a second one)")
	}
	if len(docs) == 1 {
		root.node = docs[0].Body
	}
	return root, nil
}

// syntaxError converts a go-yaml parse error into an Error with its
// position (the library stops at the first syntax error).
func syntaxError(src Source, err error) Error {
	e := Error{File: src.Name, Line: 1, Col: 1, Msg: err.Error()}
	var ye yamlError
	if errors.As(err, &ye) {
		e.Msg = strings.ReplaceAll(ye.GetMessage(), "'\t'", "'\\t' (indent with spaces, not tabs)")
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			e.Line, e.Col = tk.Position.Line, tk.Position.Column
			if strings.HasPrefix(tk.Value, "*") || starBefore(src.Data, tk.Position.Line, tk.Position.Column) {
				e.Msg += ` (an unquoted * starts a YAML alias: write "*" for the wildcard)`
			}
		}
	}
	return e
}

// starBefore reports whether the last non-blank byte before line:col of
// data, on the same line, is '*': the parser then failed on an alias.
func starBefore(data []byte, line, col int) bool {
	for l := 1; l < line; l++ {
		nl := bytes.IndexByte(data, '\n')
		if nl < 0 {
			return false
		}
		data = data[nl+1:]
	}
	if nl := bytes.IndexByte(data, '\n'); nl >= 0 {
		data = data[:nl]
	}
	before := bytes.TrimRight(data[:min(max(col-1, 0), len(data))], " \t")
	return len(before) > 0 && before[len(before)-1] == '*'
}
