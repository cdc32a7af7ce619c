package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"milter91/internal/sqldb"
)

// rowImport describes how one table is imported from CSV.
type rowImport[T any] struct {
	what   string // "consents", for errors
	spec   csvSpec
	parse  func(csvRow, time.Time) (T, []Problem)
	key    func(T) Key   // identity of a record: two lines with one key are duplicates
	dup    string        // what a duplicate shares, for its Problem
	args   func(T) []any // upsert arguments
	upsert string        // one row's upsert, "INSERT … VALUES (?, …) ON CONFLICT …"
}

// importBatch is how many lines one upsert statement takes (our choice: a
// round trip per 100 lines instead of one per line, and at most 800
// parameters, far below both backends' limits).
const importBatch = 100

// errChanged is a file that changed between the two passes of an import.
var errChanged = errors.New("the file changed during the import")

// importRows imports r in two passes over a file, in bounded memory
// whatever its size (one record, one batch of importBatch lines, the
// problems): checkRows validates every line and finds duplicates without
// touching the registry, and only when all are valid applyRows upserts
// them in one write transaction, all or none. So a bad file never holds
// the registry's writer, and a good one holds it for the upserts only.
// r is first copied to a temporary file unless it is a regular file
// (read from its offset, twice), so that the transaction never waits on
// a slow sender either.
func importRows[T any](ctx context.Context, s *Store, r io.Reader, now time.Time, imp rowImport[T]) (int, error) {
	n, err := importFile(ctx, s, r, now, imp)
	var ie *ImportError
	if err != nil && !errors.As(err, &ie) {
		return 0, fmt.Errorf("registry: import %s: %w", imp.what, err)
	}
	return n, err
}

func importFile[T any](ctx context.Context, s *Store, r io.Reader, now time.Time, imp rowImport[T]) (int, error) {
	src, done, err := spool(r)
	if err != nil {
		return 0, err
	}
	defer done()
	in, probs, err := newCSVReader(src, imp.spec)
	if err != nil {
		return 0, err
	}
	if len(probs) > 0 {
		return 0, problems(probs, false)
	}
	ie, valid, err := checkRows(ctx, in, now, imp)
	if err != nil {
		return 0, err
	}
	if ie != nil {
		return 0, ie
	}
	if err := src.rewind(); err != nil {
		return 0, err
	}
	if in, _, err = newCSVReader(src, imp.spec); err != nil {
		return 0, err
	}
	var n int64
	err = s.write(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = applyRows(ctx, s, tx, in, now, imp, valid)
		return err
	})
	return int(n), err
}

// applyRows is an import's second pass, in its write transaction: the
// lines checkRows found valid (want of them) are upserted importBatch at a
// time. It returns the rows inserted or updated; a line that no longer
// parses, or another count of lines, is errChanged.
func applyRows[T any](ctx context.Context, s *Store, tx *sql.Tx, in *csvReader, now time.Time, imp rowImport[T], want int) (int64, error) {
	if s.db.Dialect == sqldb.SQLite {
		// A large transaction spills fewer pages with a larger page cache
		// (bounded, back to SQLite's default after).
		if _, err := tx.ExecContext(ctx, "PRAGMA cache_size = -16384"); err != nil {
			return 0, err
		}
		defer tx.ExecContext(ctx, "PRAGMA cache_size = -2000")
	}
	var n int64
	var args []any
	rows, lines := 0, 0
	flush := func() error {
		if rows == 0 {
			return nil
		}
		res, err := tx.ExecContext(ctx, s.q(valuesFor(imp.upsert, rows)), args...)
		if err != nil {
			return err
		}
		changed, err := res.RowsAffected()
		n += changed
		args, rows = args[:0], 0
		return err
	}
	for {
		row, probs, _, err := in.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, err
		}
		rec, recProbs := imp.parse(row, now)
		if len(probs)+len(recProbs) > 0 {
			return 0, errChanged
		}
		args, rows, lines = append(args, imp.args(rec)...), rows+1, lines+1
		if rows == importBatch {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if lines != want {
		return 0, errChanged
	}
	return n, flush()
}

// valuesFor repeats the single row "VALUES (?, …)" of an INSERT n times.
func valuesFor(insert string, n int) string {
	i := strings.Index(insert, "VALUES (")
	j := strings.IndexByte(insert[i:], ')')
	row := insert[i+len("VALUES ") : i+j+1]
	return insert[:i+len("VALUES ")] + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ") + insert[i+j+1:]
}

// source is an import's file, read twice.
type source struct {
	f     *os.File
	start int64 // offset of the first byte
	size  int64
	mtime time.Time
}

func (s *source) Read(p []byte) (int, error) { return s.f.Read(p) }

// rewind goes back to the first byte for the second pass; a file whose
// size or modification time changed meanwhile is errChanged.
func (s *source) rewind() error {
	fi, err := s.f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() != s.size || !fi.ModTime().Equal(s.mtime) {
		return errChanged
	}
	_, err = s.f.Seek(s.start, io.SeekStart)
	return err
}

// spool returns r as a source: r itself when it is a regular *os.File
// (from its current offset), else a copy in a temporary file that done
// removes.
func spool(r io.Reader) (src *source, done func(), err error) {
	if f, ok := r.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			if start, err := f.Seek(0, io.SeekCurrent); err == nil {
				return &source{f: f, start: start, size: fi.Size(), mtime: fi.ModTime()}, func() {}, nil
			}
		}
	}
	tmp, err := os.CreateTemp("", "milter91-import-*.csv")
	if err != nil {
		return nil, nil, err
	}
	done = func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}
	src = &source{f: tmp}
	_, err = io.Copy(tmp, r)
	if err == nil {
		var fi os.FileInfo
		if fi, err = tmp.Stat(); err == nil {
			src.size, src.mtime = fi.Size(), fi.ModTime()
			_, err = tmp.Seek(0, io.SeekStart)
		}
	}
	if err != nil {
		done()
		return nil, nil, err
	}
	return src, done, nil
}
