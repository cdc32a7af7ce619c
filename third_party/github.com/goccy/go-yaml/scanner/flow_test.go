package scanner_test

import (
	"testing"

	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/token"
)

// In a flow sequence a ':' not followed by white space is part of the
// plain scalar (YAML 1.2.2 §7.3.3 ns-plain-char), also when the sequence
// is nested in a flow mapping; only the innermost flow mapping reads
// "a:1" as a key and a value.
func TestColonInFlowSequenceInFlowMapping(t *testing.T) {
	tests := []struct {
		src    string
		values []string // the scalars, in order
		colons int      // mapping value indicators
	}{
		{"{a: [127.0.0.1:53]}", []string{"a", "127.0.0.1:53"}, 1},
		{"{a: [127.0.0.1:53, \"[::1]:53\", b]}", []string{"a", "127.0.0.1:53", "[::1]:53", "b"}, 1},
		{"[127.0.0.1:53]", []string{"127.0.0.1:53"}, 0},
		{"{a: [{b:1}]}", []string{"a", "b", "1"}, 2},
		{"{a: {b: [c:d]}, e: f}", []string{"a", "b", "c:d", "e", "f"}, 3},
		{"{a: [x], b:c}", []string{"a", "x", "b", "c"}, 2},
		{"{a: [b: c]}", []string{"a", "b", "c"}, 2},
		{"x: {a: [inet:127.0.0.1:8891]}", []string{"x", "a", "inet:127.0.0.1:8891"}, 2},
	}
	for _, tc := range tests {
		var values []string
		colons := 0
		for _, tk := range lexer.Tokenize(tc.src) {
			switch tk.Type {
			case token.MappingValueType:
				colons++
			case token.StringType, token.IntegerType, token.DoubleQuoteType:
				values = append(values, tk.Value)
			}
		}
		if colons != tc.colons || len(values) != len(tc.values) {
			t.Errorf("%q: scalars %q and %d ':' indicators, want %q and %d", tc.src, values, colons, tc.values, tc.colons)
			continue
		}
		for i := range values {
			if values[i] != tc.values[i] {
				t.Errorf("%q: scalars %q, want %q", tc.src, values, tc.values)
				break
			}
		}
	}
}
