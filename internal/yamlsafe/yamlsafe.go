// Package yamlsafe bounds the YAML that hand-edited files (the daemon
// config, rule files) give github.com/goccy/go-yaml: the parser's time and
// memory grow with the square of the nesting depth (20 000 nested "[" in
// 20 KB took 6 s and 630 MB), so the nesting is checked on the tokens
// before the parser sees them.
package yamlsafe

import (
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/token"

	"milter91/internal/fileerr"
)

// Bounds on nesting; no config or rule file comes near them.
const (
	MaxFlowDepth   = 64 // nested [ and { brackets
	MaxLineEntries = 32 // "- " and "? " indicators on one line
)

// Tokens tokenizes data (name is used in the error) and returns its
// tokens, or a fileerr.Error "YAML nested too deeply" at the first bracket
// or indicator beyond MaxFlowDepth or MaxLineEntries. Tokenizing is
// linear in len(data).
func Tokens(name string, data []byte) (token.Tokens, error) {
	tokens := lexer.Tokenize(string(data))
	depth, line, onLine := 0, 0, 0
	for _, tk := range tokens {
		if tk == nil || tk.Position == nil {
			continue
		}
		switch tk.Type {
		case token.SequenceStartType, token.MappingStartType:
			depth++
		case token.SequenceEndType, token.MappingEndType:
			depth--
		case token.SequenceEntryType, token.MappingKeyType:
			if tk.Position.Line != line {
				line, onLine = tk.Position.Line, 0
			}
			onLine++
		default:
			continue
		}
		if depth > MaxFlowDepth || onLine > MaxLineEntries {
			return nil, fileerr.Error{File: name, Line: tk.Position.Line, Col: tk.Position.Column, Msg: "YAML nested too deeply"}
		}
	}
	return tokens, nil
}
