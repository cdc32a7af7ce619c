package registry

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// csvTime is the export format of times: RFC 3339, UTC, milliseconds (the
// stored precision), so an export re-imports to the same value.
const csvTime = "2006-01-02T15:04:05.000Z07:00"

// Problem is one reason an import line was rejected.
type Problem struct {
	// Line is the physical line in the file where the record starts; the
	// header is line 1.
	Line   int
	Reason string
}

// String formats p as "line N: reason".
func (p Problem) String() string { return fmt.Sprintf("line %d: %s", p.Line, p.Reason) }

// MaxProblems bounds the problems one import reports: it stops reading at
// the 100th (our choice: enough to fix a file by, and a bound on the
// answer of a file that is all wrong).
const MaxProblems = 100

// ImportError is returned when an import had invalid lines; nothing was
// applied. Problems are in file order, at most MaxProblems; Truncated says
// that the import stopped there (or at a record it could not read past)
// and later lines were not checked. It matches ErrInvalid.
type ImportError struct {
	Problems  []Problem
	Truncated bool
}

// Error lists the problems, one "line N: reason" per line, and a last
// line when the list was truncated.
func (e *ImportError) Error() string {
	lines := make([]string, len(e.Problems), len(e.Problems)+1)
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	if e.Truncated {
		lines = append(lines, TruncatedNote)
	}
	return strings.Join(lines, "\n")
}

// ImportSummary is the one-line summary of e: "N problems, nothing
// imported", saying when the import stopped at MaxProblems.
func ImportSummary(e *ImportError) string {
	noun := "problems"
	if len(e.Problems) == 1 {
		noun = "problem"
	}
	if e.Truncated {
		return fmt.Sprintf("%d %s before the import stopped (later lines were not checked), nothing imported", len(e.Problems), noun)
	}
	return fmt.Sprintf("%d %s, nothing imported", len(e.Problems), noun)
}

// TruncatedNote is the last line of a truncated ImportError.
const TruncatedNote = "stopped here: later lines were not checked"

// Is reports whether target is ErrInvalid.
func (e *ImportError) Is(target error) bool { return target == ErrInvalid }

// csvSpec names a table's columns in export order; required ones must be
// in the header and non-empty on every line.
type csvSpec struct {
	columns  []string
	required []string
}

// rowParser reads the values of one row, collecting every error so that
// one line reports all its problems.
type rowParser struct {
	row  csvRow
	errs []error
}

// time parses column name as RFC 3339 (zero when empty) and rejects times
// after now: a record cannot come from the future.
func (p *rowParser) time(name string, now time.Time) time.Time {
	v := p.row.get(name)
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	switch {
	case err != nil:
		p.errs = append(p.errs, fmt.Errorf("%s %q: want RFC 3339, e.g. 2026-01-02T15:04:05Z", name, v))
	case t.After(now):
		p.errs = append(p.errs, fmt.Errorf("%s %s is in the future", name, v))
	}
	return t
}

// int parses column name as a decimal integer (0 when empty).
func (p *rowParser) int(name string) int {
	v := p.row.get(name)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		p.errs = append(p.errs, fmt.Errorf("%s %q: not an integer", name, v))
	}
	return n
}

// problems turns the collected errors into one Problem each.
func (p *rowParser) problems() []Problem {
	out := make([]Problem, 0, len(p.errs))
	for _, e := range p.errs {
		out = append(out, Problem{Line: p.row.line, Reason: e.Error()})
	}
	return out
}

// writeCSV writes the header and rows and reports the first write error.
func writeCSV(w io.Writer, header []string, each func(emit func([]string) error) error) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	if err := each(func(rec []string) error { return cw.Write(rec) }); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// fmtTime formats t for export; "" for the zero time.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(csvTime)
}
