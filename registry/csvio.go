package registry

import (
	"bufio"
	"cmp"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
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

// ImportError is returned when an import had invalid lines; nothing was
// applied. Problems are in file order.
type ImportError struct {
	Problems []Problem
}

// Error lists the problems, one "line N: reason" per line.
func (e *ImportError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// csvSpec names a table's columns in export order; required ones must be
// in the header and non-empty on every line.
type csvSpec struct {
	columns  []string
	required []string
}

// csvRow is one record with its starting line.
type csvRow struct {
	line int
	rec  []string
	idx  map[string]int
}

// get returns the trimmed value of column name, "" when the column is absent.
func (r csvRow) get(name string) string {
	if i, ok := r.idx[name]; ok {
		return strings.TrimSpace(r.rec[i])
	}
	return ""
}

// readCSV reads a header and the records after it. It collects every
// problem (header, field count, CSV syntax) rather than stopping at the
// first; only an I/O error is returned as err. A UTF-8 BOM, CRLF line ends,
// quoted fields and blank lines are accepted.
func readCSV(r io.Reader, spec csvSpec) ([]csvRow, []Problem, error) {
	br := bufio.NewReader(r)
	if bom, _ := br.Peek(3); string(bom) == "\ufeff" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	switch {
	case errors.Is(err, io.EOF):
		return nil, []Problem{{Line: 1, Reason: "empty file: a header line is required"}}, nil
	case err != nil:
		return nil, nil, err
	}
	idx, probs := parseHeader(head, spec)
	if len(probs) > 0 {
		return nil, probs, nil
	}
	var rows []csvRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, probs, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			probs = append(probs, Problem{Line: pe.StartLine, Reason: pe.Err.Error()})
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(head) {
			probs = append(probs, Problem{Line: line, Reason: fmt.Sprintf("%d fields, the header has %d", len(rec), len(head))})
			continue
		}
		rows = append(rows, csvRow{line: line, rec: rec, idx: idx})
	}
}

// parseHeader maps column names (trimmed, case-insensitive) to positions
// and reports unknown, duplicate and missing required columns as line 1.
func parseHeader(head []string, spec csvSpec) (map[string]int, []Problem) {
	idx := make(map[string]int, len(head))
	var probs []Problem
	for i, h := range head {
		name := strings.ToLower(strings.TrimSpace(h))
		if _, dup := idx[name]; dup {
			probs = append(probs, Problem{Line: 1, Reason: fmt.Sprintf("duplicate column %q", name)})
			continue
		}
		if !slices.Contains(spec.columns, name) {
			probs = append(probs, Problem{Line: 1, Reason: fmt.Sprintf("unknown column %q (known: %s)", h, strings.Join(spec.columns, ", "))})
			continue
		}
		idx[name] = i
	}
	for _, c := range spec.required {
		if _, ok := idx[c]; !ok {
			probs = append(probs, Problem{Line: 1, Reason: fmt.Sprintf("missing required column %q", c)})
		}
	}
	return idx, probs
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

// applyAll runs upsert once per args in one write transaction, all rows
// or none, and returns how many rows it inserted or updated.
func (s *Store) applyAll(ctx context.Context, upsert string, args [][]any) (int, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, s.q(upsert))
		if err != nil {
			return fmt.Errorf("registry: import: %w", err)
		}
		defer stmt.Close()
		for _, a := range args {
			res, err := stmt.ExecContext(ctx, a...)
			if err != nil {
				return fmt.Errorf("registry: import: %w", err)
			}
			changed, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("registry: import: %w", err)
			}
			n += changed
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return int(n), nil
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

// rowImport describes how one table is imported from CSV.
type rowImport[T any] struct {
	what   string // "consents", for errors
	spec   csvSpec
	parse  func(csvRow, time.Time) (T, []Problem)
	key    func(T) string // identity of a record: two lines with one key are duplicates
	dup    string         // what a duplicate shares, for its Problem
	args   func(T) []any  // upsert arguments
	upsert string
}

// importRows validates every line of r (all problems, line numbers sorted)
// and then applies all of them in one transaction, or none.
func importRows[T any](ctx context.Context, s *Store, r io.Reader, now time.Time, imp rowImport[T]) (int, error) {
	rows, probs, err := readCSV(r, imp.spec)
	if err != nil {
		return 0, fmt.Errorf("registry: import %s: %w", imp.what, err)
	}
	seen := make(map[string]int, len(rows))
	args := make([][]any, 0, len(rows))
	for _, row := range rows {
		rec, rowProbs := imp.parse(row, now)
		if len(rowProbs) == 0 {
			k := imp.key(rec)
			if first, dup := seen[k]; dup {
				rowProbs = append(rowProbs, Problem{Line: row.line, Reason: fmt.Sprintf("duplicate of line %d (%s)", first, imp.dup)})
			}
			seen[k] = row.line
		}
		probs = append(probs, rowProbs...)
		args = append(args, imp.args(rec))
	}
	if len(probs) > 0 {
		slices.SortStableFunc(probs, func(a, b Problem) int { return cmp.Compare(a.Line, b.Line) })
		return 0, &ImportError{Problems: probs}
	}
	return s.applyAll(ctx, imp.upsert, args)
}

// writeRecords writes items as CSV under columns, one record each.
func writeRecords[T any](w io.Writer, columns []string, items []T, record func(T) []string) error {
	return writeCSV(w, columns, func(emit func([]string) error) error {
		for _, it := range items {
			if err := emit(record(it)); err != nil {
				return err
			}
		}
		return nil
	})
}
