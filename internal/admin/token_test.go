package admin

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadToken(t *testing.T) {
	const good = "s3cr3t-token-0123456789abcdef"
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		want    string
		errHas  string
	}{
		{name: "ok 0600", content: good + "\n", mode: 0o600, want: good},
		{name: "ok 0400, spaces around", content: "  \t" + good + " \r\n\n", mode: 0o400, want: good},
		{name: "exactly 16 bytes", content: "0123456789abcdef", mode: 0o600, want: "0123456789abcdef"},
		{name: "mode 0644", content: good, mode: 0o644, errHas: "mode 0644"},
		{name: "mode 0640", content: good, mode: 0o640, errHas: "mode 0640"},
		{name: "mode 0602", content: good, mode: 0o602, errHas: "mode 0602"},
		{name: "empty", content: "", mode: 0o600, errHas: "is empty"},
		{name: "only whitespace", content: " \n\t\n", mode: 0o600, errHas: "is empty"},
		{name: "short", content: "0123456789abcde\n", mode: 0o600, errHas: "is 15 bytes, want at least 16"},
		{name: "inner space", content: "0123456789 abcdef", mode: 0o600, errHas: "byte 11 is not allowed"},
		{name: "two lines", content: "0123456789abcdef\n0123456789abcdef", mode: 0o600, errHas: "byte 17 is not allowed"},
		{name: "huge", content: strings.Repeat("a", 5000), mode: 0o600, errHas: "over 4096 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "token")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			got, err := LoadToken(path)
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("LoadToken = %q, %v; want an error containing %q", got, err, tt.errHas)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("LoadToken = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestLoadTokenNotAFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{dir: "not a regular file", filepath.Join(dir, "missing"): "no such file"} {
		if _, err := LoadToken(path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadToken(%s) error %v, want %q", path, err, want)
		}
	}
}
