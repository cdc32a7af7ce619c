package fileerr

import "testing"

func TestFormat(t *testing.T) {
	l := List{{File: "a.yml", Line: 3, Col: 7, Msg: "bad"}, {File: "b.yml", Msg: "unreadable"}}
	if got, want := l.Error(), "a.yml:3:7: bad\nb.yml: unreadable"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
