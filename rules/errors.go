package rules

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error is one problem in a rule source at the 1-based line and column of
// the offending key or value. Line and Col are 0 when the problem concerns
// the whole source (an unreadable file, a file over the size limit).
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

// ErrorList is every problem found by one Compile or ReadPaths call, sorted
// by source order, then line, then column.
type ErrorList []Error

// Error returns one Error() per line.
func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// positioned turns err into Errors: Error and ErrorList keep their own
// positions, anything else is placed at v.
func positioned(v Value, err error) ErrorList {
	var list ErrorList
	var one Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &list):
		return list
	case errors.As(err, &one):
		return ErrorList{one}
	default:
		return ErrorList{v.Errorf("%v", err)}
	}
}

// errorSink collects the errors of one compile.
type errorSink struct {
	order map[string]int // source name → position in the Compile argument
	list  ErrorList
}

// add records err (see positioned); a nil err is ignored.
func (s *errorSink) add(v Value, err error) {
	s.list = append(s.list, positioned(v, err)...)
}

// sorted returns the errors in source, line, column order; nil when none.
func (s *errorSink) sorted() ErrorList {
	if len(s.list) == 0 {
		return nil
	}
	out := append(ErrorList(nil), s.list...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if oa, ob := s.order[a.File], s.order[b.File]; oa != ob {
			return oa < ob
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return out
}

var (
	errNotRegular = errors.New("not a regular file")
	errTooLarge   = errors.New("larger than 1 MiB")
)
