// Package fileerr is the error shape of hand-edited files (the daemon
// config, rule files): a message at a 1-based line and column, all of a
// file's problems reported together.
package fileerr

import (
	"fmt"
	"strings"
)

// Error is one problem at the 1-based line and column of the offending key
// or value. Line and Col are 0 when the problem concerns the whole file.
type Error struct {
	File      string
	Line, Col int
	Msg       string
}

// Error returns "file:line:col: msg", or "file: msg" without a position.
func (e Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// List is every problem found, in file order; it prints one Error per line.
type List []Error

// Error returns one Error() per line.
func (l List) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}
