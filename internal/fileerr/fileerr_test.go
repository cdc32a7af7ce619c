package fileerr

import (
	"strings"
	"testing"
)

func TestFormat(t *testing.T) {
	l := List{{File: "a.yml", Line: 3, Col: 7, Msg: "bad"}, {File: "b.yml", Msg: "unreadable"}}
	if got, want := l.Error(), "a.yml:3:7: bad\nb.yml: unreadable"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// parseOrPanic stands for a third-party parser with a nil-pointer bug.
func parseOrPanic(data []byte) (err error) {
	defer Recover("c.yml", "YAML parser", &err)
	var p *struct{ n int }
	if len(data) > 0 {
		return nil
	}
	_ = p.n // data empty: the parser's bug
	return nil
}

func TestRecover(t *testing.T) {
	if err := parseOrPanic([]byte("x")); err != nil {
		t.Fatalf("no panic: err %v", err)
	}
	err := parseOrPanic(nil)
	l, ok := err.(List)
	if !ok || len(l) != 1 || !l[0].Internal {
		t.Fatalf("err %#v, want a List of one Internal Error", err)
	}
	msg := l.Error()
	for _, want := range []string{"c.yml:1:1: YAML parser failed: runtime error: invalid memory address or nil pointer dereference",
		"(at fileerr.parseOrPanic fileerr_test.go:", "please report it"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("%q spans lines", msg)
	}
}

func TestPanickedOneLine(t *testing.T) {
	e := panicked("l.txt", "list parser", "bad\nvalue", "")
	if got, want := e.Error(), "l.txt:1:1: list parser failed: bad value; this is a bug, please report it"; got != want || !e.Internal {
		t.Errorf("got %q (internal %v), want %q", got, e.Internal, want)
	}
}

func TestClampTo(t *testing.T) {
	l := List{{File: "a.yml", Line: 2, Col: 9, Msg: "x"}, {File: "a.yml", Line: 7, Col: 3, Msg: "y"},
		{File: "b.yml", Line: 9, Col: 9, Msg: "other file"}, {File: "a.yml", Msg: "no position"}}
	l.ClampTo("a.yml", []byte("rules:\r\n-\rz"))
	if got, want := l.Error(), "a.yml:2:2: x\na.yml:3:2: y\nb.yml:9:9: other file\na.yml: no position"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
