package rules

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// FuzzLoad runs the daemon's load path on one fuzzed rule file: written to
// a rules directory, read by ReadPaths, compiled after shipped defaults
// (settings, auth and lists: override, disable and settings reach real
// rules; all of them would make each input cost 5 ms more). It must give a
// Set or an ErrorList, never panic nor recover a panic (Internal); each
// error is one line naming the file (or a shipped source) with a position
// inside the file; a Set has at least the shipped rules and evaluates.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("rules:\n  - {id: LOCAL, ref: local policy, score: 1, when: {helo: \"^localhost$\"}}\n"))
	dir := f.TempDir()
	path := filepath.Join(dir, "10-local.yml")
	var base []Source
	for _, src := range Defaults() {
		if slices.Contains([]string{"defaults/settings.yml", "defaults/auth.yml", "defaults/lists.yml"}, src.Name) {
			base = append(base, src)
		}
	}
	defaults, err := Compile(base)
	if err != nil || len(base) != 3 {
		f.Fatalf("%d shipped sources: %v", len(base), err)
	}
	shipped := len(defaults.Rules())
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		files, err := ReadPaths(dir)
		if err != nil {
			t.Fatalf("ReadPaths of a regular file: %v", err)
		}
		set, err := Compile(append(slices.Clip(base), files...))
		if err != nil {
			checkLoadErrors(t, err, path, data)
			return
		}
		if len(set.Rules()) < shipped {
			t.Fatalf("%d rules, fewer than the %d shipped", len(set.Rules()), shipped)
		}
		set.Evaluate(nil, nil)
	})
}

// checkLoadErrors asserts the shape of Compile's errors for the file at
// path holding data.
func checkLoadErrors(t *testing.T, err error, path string, data []byte) {
	t.Helper()
	var list ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("error %T %q, want a non-empty ErrorList", err, err)
	}
	text := bytes.TrimPrefix(data, []byte("\uFEFF"))
	text = bytes.ReplaceAll(bytes.ReplaceAll(text, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n"))
	lines := bytes.Split(text, []byte("\n"))
	for _, e := range list {
		msg := e.Error()
		switch {
		case e.Internal:
			t.Fatalf("a recovered panic: %s", msg)
		case e.Msg == "" || strings.ContainsAny(msg, "\r\n"):
			t.Fatalf("error %q: empty or several lines", msg)
		case e.File != path:
			if !strings.HasPrefix(e.File, "defaults/") {
				t.Fatalf("error %q names neither the file nor a shipped source", msg)
			}
		case e.Line == 0:
		case e.Line > len(lines) || e.Col < 1 || e.Col > len(lines[e.Line-1])+1:
			t.Fatalf("error %q: position outside the file (%d lines)", msg, len(lines))
		case !strings.HasPrefix(msg, fmt.Sprintf("%s:%d:%d: ", path, e.Line, e.Col)):
			t.Fatalf("error %q does not start with its position", msg)
		}
	}
}
