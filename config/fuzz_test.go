package config

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"milter91/internal/txn"
)

// FuzzParse checks that Parse never panics and returns either a Config or
// an error list, never both nor neither, and no panic of the YAML library
// that Parse recovered (an Internal error: a library bug to fix, as the
// tag crasher in testdata/fuzz/FuzzParse/tag-on-list was). Every error is
// one line for the file it was given; one that names a position prints as "name:line:col: "
// with the line and column inside the input (column at most one past the
// line's last byte). A Config has the invariants the daemon relies on: a
// listener, a fail mode that is tempfail or accept, and its source name.
func FuzzParse(f *testing.F) {
	const name = "fuzz.yml"
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(name, data)
		if (cfg == nil) == (err == nil) {
			t.Fatalf("Parse returned config %v and error %v; want exactly one", cfg != nil, err)
		}
		if err == nil {
			if cfg.Source != name || len(cfg.Listen) == 0 ||
				(cfg.FailMode != txn.ActionTempfail && cfg.FailMode != txn.ActionAccept) {
				t.Fatalf("config source %q, listen %v, fail mode %v", cfg.Source, cfg.Listen, cfg.FailMode)
			}
			return
		}
		var list ErrorList
		if !errors.As(err, &list) || len(list) == 0 {
			t.Fatalf("error %T %q, want a non-empty ErrorList", err, err)
		}
		// YAML line breaks are CRLF, CR and LF (YAML 1.2 §5.4).
		text := bytes.ReplaceAll(bytes.TrimPrefix(data, []byte("\uFEFF")), []byte("\r\n"), []byte("\n"))
		lines := bytes.Split(bytes.ReplaceAll(text, []byte("\r"), []byte("\n")), []byte("\n"))
		for _, e := range list {
			checkPosition(t, e, name, lines)
		}
	})
}

// checkPosition asserts the shape of one error of the file name whose
// lines are given.
func checkPosition(t *testing.T, e Error, name string, lines [][]byte) {
	t.Helper()
	msg := e.Error()
	switch {
	case e.Internal:
		t.Fatalf("the YAML library panicked: %s", msg)
	case e.File != name || e.Msg == "":
		t.Fatalf("error %q: file %q, message %q; want file %q and a message", msg, e.File, e.Msg, name)
	case strings.ContainsAny(msg, "\r\n"):
		t.Fatalf("error %q spans several lines", msg)
	case e.Line == 0 && e.Col == 0:
		if !strings.HasPrefix(msg, name+": ") {
			t.Fatalf("error %q without a position does not start with %q", msg, name+": ")
		}
	case e.Line < 1 || e.Line > len(lines) || e.Col < 1 || e.Col > len(lines[e.Line-1])+1:
		t.Fatalf("error %q: position %d:%d outside the input (%d lines)", msg, e.Line, e.Col, len(lines))
	case !strings.HasPrefix(msg, fmt.Sprintf("%s:%d:%d: ", name, e.Line, e.Col)):
		t.Fatalf("error %q does not start with %s:%d:%d: ", msg, name, e.Line, e.Col)
	}
}
