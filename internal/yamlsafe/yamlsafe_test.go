package yamlsafe

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml/parser"
)

func TestTokensBounds(t *testing.T) {
	tests := []struct {
		src, want string // want: "" accepted, else the error
	}{
		{"a: " + strings.Repeat("[", 64) + strings.Repeat("]", 64), ""},
		{"a: " + strings.Repeat("[", 65) + strings.Repeat("]", 65), "f.yml:1:68: YAML nested too deeply"},
		{"a: " + strings.Repeat("{b: ", 65), "f.yml:1:"},
		{strings.Repeat("- ", 32) + "x", ""},
		{strings.Repeat("- ", 33) + "x", "f.yml:1:65: YAML nested too deeply"},
		{strings.Repeat("- x\n", 1000), ""},
	}
	for _, tc := range tests {
		_, err := Tokens("f.yml", []byte(tc.src))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%.40q: %v, want accepted", tc.src, err)
		case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
			t.Errorf("%.40q: %v, want %q…", tc.src, err, tc.want)
		}
	}
}

// 256 KiB of brackets are refused after one linear pass (the parser
// would need hours); the deadline is a last guard, not a measurement.
func TestTokensDeepInputIsCheap(t *testing.T) {
	src := "a: " + strings.Repeat("[", 1<<18)
	start := time.Now()
	if _, err := Tokens("f.yml", []byte(src)); err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Fatalf("err %v, want nested too deeply", err)
	}
	if d := time.Since(start); d > time.Minute {
		t.Errorf("took %v", d)
	}
}

func TestAliasesBound(t *testing.T) {
	bomb := "a0: &a0 [x, x]\n"
	for i := 1; i < 60; i++ {
		bomb += fmt.Sprintf("a%d: &a%d [*a%d, *a%d]\n", i, i, i-1, i-1)
	}
	nested := "a: &a [" + strings.Repeat("&b [", 30) + "x" + strings.Repeat("]", 30) + "]\nb: [*a, *a]\n"
	tests := []struct {
		src, want string // want: "" accepted, else the error's prefix
	}{
		{"a: &a {k: v}\nb: *a\nc: *a\n", ""},
		{nested, ""},
		// 100 aliases of a sequence of 999 items: 100 000 nodes, the bound.
		{"a: &a [" + strings.Repeat("x,", 998) + "x]\nb: [" + strings.Repeat("*a,", 99) + "*a]\n", ""},
		{"a: &a [" + strings.Repeat("x,", 998) + "x]\nb: [" + strings.Repeat("*a,", 100) + "*a]\n", "f.yml:2:"},
		{bomb, "f.yml:"},
		{"a: &a [*a, *a]\n", ""}, // recursion: the decoder's business, no expansion here
	}
	for _, tc := range tests {
		tokens, err := Tokens("f.yml", []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.Parse(tokens, 0)
		if err != nil {
			t.Fatalf("%.40q: %v", tc.src, err)
		}
		err = Aliases("f.yml", f)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%.40q: %v, want accepted", tc.src, err)
		case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want) || !strings.Contains(err.Error(), "YAML aliases expand")):
			t.Errorf("%.40q: %v, want %q… YAML aliases expand", tc.src, err, tc.want)
		}
	}
}
