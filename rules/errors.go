package rules

import (
	"errors"
	"sort"

	"milter91/internal/fileerr"
)

// Error is one problem in a rule source at the 1-based line and column of
// the offending key or value (0 when it concerns the whole source).
type Error = fileerr.Error

// ErrorList is every problem found by one Compile or ReadPaths call, sorted
// by source order, then line, then column.
type ErrorList = fileerr.List

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
