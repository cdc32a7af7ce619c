package yamlsafe

import (
	"strings"
	"testing"
	"time"
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
