package registry

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// MaxRecordBytes bounds one CSV record of an import, quoted line breaks
// included (our choice: a registry line is a few hundred bytes, evidence
// at most MaxEvidence). The reader holds one record at a time, so this
// bounds its memory.
const MaxRecordBytes = 64 << 10

// readAhead is the bufio buffer between the CSV reader and the file: the
// most a record's limit can be passed by before it is noticed.
const readAhead = 4096

// errRecordTooLong ends a read that went past a record's limit.
var errRecordTooLong = errors.New("record too long")

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

// csvReader reads an import file one record at a time, in bounded memory:
// a UTF-8 BOM, CRLF line ends, quoted fields and blank lines are accepted;
// a record over MaxRecordBytes is a problem, and past readAhead more the
// reader stops (it cannot find the next record's start).
type csvReader struct {
	cr     *csv.Reader
	br     *bufio.Reader
	lim    *recordLimit
	idx    map[string]int
	fields int
	offset int64 // input offset after the last record
	line   int   // where the last record started
}

// newCSVReader reads the header of r. It returns the header's problems
// (unknown, duplicate and missing required columns, an empty file, as line
// 1); err is an I/O error.
func newCSVReader(r io.Reader, spec csvSpec) (*csvReader, []Problem, error) {
	lim := &recordLimit{r: r, max: MaxRecordBytes + readAhead}
	br := bufio.NewReaderSize(lim, readAhead)
	if bom, _ := br.Peek(3); string(bom) == "\ufeff" {
		br.Discard(3)
	}
	cr := csv.NewReader(br) // uses br itself: its buffer is large enough
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	c := &csvReader{cr: cr, br: br, lim: lim}
	head, err := cr.Read()
	switch {
	case errors.Is(err, io.EOF):
		return nil, []Problem{{Line: 1, Reason: "empty file: a header line is required"}}, nil
	case errors.Is(err, errRecordTooLong):
		return nil, []Problem{{Line: 1, Reason: fmt.Sprintf("header over %d bytes", MaxRecordBytes)}}, nil
	case err != nil:
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, []Problem{{Line: 1, Reason: pe.Err.Error()}}, nil
		}
		return nil, nil, err
	}
	c.mark(1)
	c.fields = len(head)
	var probs []Problem
	c.idx, probs = parseHeader(head, spec)
	return c, probs, nil
}

// mark ends a record that started at line and starts the next one's byte
// budget: what the buffer holds already belongs to it.
func (c *csvReader) mark(line int) {
	c.lim.n = int64(c.br.Buffered())
	c.offset = c.cr.InputOffset()
	c.line = line
}

// next returns the next record, or the problems that made it unusable
// (CSV syntax, field count, size). fatal is true when reading cannot go
// on past that problem. err is io.EOF at the end, else an I/O error.
func (c *csvReader) next() (row csvRow, probs []Problem, fatal bool, err error) {
	rec, err := c.cr.Read()
	if errors.Is(err, io.EOF) {
		return row, nil, false, io.EOF
	}
	start, line := c.offset, c.line+1
	if len(rec) > 0 {
		line, _ = c.cr.FieldPos(0)
	}
	var pe *csv.ParseError
	switch {
	case errors.Is(err, errRecordTooLong):
		return row, []Problem{{Line: line, Reason: fmt.Sprintf("record over %d bytes", MaxRecordBytes)}}, true, nil
	case errors.As(err, &pe):
		c.mark(pe.StartLine)
		return row, []Problem{{Line: pe.StartLine, Reason: pe.Err.Error()}}, false, nil
	case err != nil:
		return row, nil, false, err
	}
	c.mark(line)
	if size := c.offset - start; size > MaxRecordBytes {
		return row, []Problem{{Line: line, Reason: fmt.Sprintf("record of %d bytes, over %d", size, MaxRecordBytes)}}, false, nil
	}
	if len(rec) != c.fields {
		return row, []Problem{{Line: line, Reason: fmt.Sprintf("%d fields, the header has %d", len(rec), c.fields)}}, false, nil
	}
	return csvRow{line: line, rec: rec, idx: c.idx}, nil, false, nil
}

// recordLimit fails reads once more than max bytes were read since n was
// last reset (csvReader.mark).
type recordLimit struct {
	r      io.Reader
	n, max int64
}

func (l *recordLimit) Read(p []byte) (int, error) {
	if l.n >= l.max {
		return 0, errRecordTooLong
	}
	if int64(len(p)) > l.max-l.n {
		p = p[:l.max-l.n]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
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
