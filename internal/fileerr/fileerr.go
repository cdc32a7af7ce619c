// Package fileerr is the error shape of hand-edited files (the daemon
// config, rule files): a message at a 1-based line and column, all of a
// file's problems reported together.
package fileerr

import (
	"fmt"
	"regexp"
	"strings"
)

// Error is one problem at the 1-based line and column of the offending key
// or value. Line and Col are 0 when the problem concerns the whole file.
type Error struct {
	File      string
	Line, Col int
	Msg       string
	// Internal marks a panic recovered in a parser (Recover): a bug in the
	// code, not a fault of the file; fuzz targets fail on it.
	Internal bool
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

// lineBreak is a YAML line break (YAML 1.2 §5.4).
var lineBreak = regexp.MustCompile(`\r\n|\r|\n`)

// ClampTo keeps the position of each error of l about file inside data,
// the file's text: go-yaml places some (an empty list item, a bad escape
// before a line break) past the end of their line or of the file.
func (l List) ClampTo(file string, data []byte) {
	lines := lineBreak.Split(string(data), -1)
	for i := range l {
		e := &l[i]
		if e.File != file || e.Line <= 0 {
			continue
		}
		e.Line = min(e.Line, len(lines))
		e.Col = min(e.Col, len(lines[e.Line-1])+1)
	}
}
