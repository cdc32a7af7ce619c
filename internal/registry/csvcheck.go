package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// keySet is the set of record keys an import's lines have, with the line
// of each, kept in a scratch SQLite file so that duplicates are found in
// bounded memory whatever the number of lines. It is private to one
// import and removed by close; nothing in it needs to survive a crash.
type keySet struct {
	db     *sql.DB
	tx     *sql.Tx
	dir    string
	insert *sql.Stmt
	first  *sql.Stmt
}

// keyCacheKiB bounds the scratch database's page cache (our choice:
// about 300 000 keys stay in memory, more spill to its file).
const keyCacheKiB = 16 << 10

// newKeySet creates the scratch database in a new directory of
// os.TempDir.
func newKeySet(ctx context.Context) (*keySet, error) {
	dir, err := os.MkdirTemp("", "milter91-import-")
	if err != nil {
		return nil, err
	}
	k := &keySet{dir: dir}
	k.db, err = sql.Open("sqlite", filepath.Join(dir, "keys.db")+fmt.Sprintf(
		"?_pragma=journal_mode(OFF)&_pragma=synchronous(OFF)&_pragma=cache_size(-%d)", keyCacheKiB))
	if err == nil {
		k.db.SetMaxOpenConns(1)
		err = k.prepare(ctx)
	}
	if err != nil {
		k.close()
		return nil, err
	}
	return k, nil
}

func (k *keySet) prepare(ctx context.Context) error {
	var err error
	if k.tx, err = k.db.BeginTx(ctx, nil); err != nil {
		return err
	}
	if _, err = k.tx.ExecContext(ctx, `CREATE TABLE keys (advertiser TEXT NOT NULL, recipient TEXT NOT NULL,
		scope TEXT NOT NULL, line INTEGER NOT NULL, PRIMARY KEY (advertiser, recipient, scope)) WITHOUT ROWID`); err != nil {
		return err
	}
	if k.insert, err = k.tx.PrepareContext(ctx, `INSERT INTO keys VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`); err != nil {
		return err
	}
	k.first, err = k.tx.PrepareContext(ctx, `SELECT line FROM keys WHERE advertiser = ? AND recipient = ? AND scope = ?`)
	return err
}

// add records key for line; when an earlier line had key it returns that
// line and false.
func (k *keySet) add(ctx context.Context, key Key, line int) (first int, added bool, err error) {
	res, err := k.insert.ExecContext(ctx, key.Advertiser, key.Recipient, key.Scope, line)
	if err != nil {
		return 0, false, err
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return line, n > 0, err
	}
	err = k.first.QueryRowContext(ctx, key.Advertiser, key.Recipient, key.Scope).Scan(&first)
	return first, false, err
}

// close removes the scratch database.
func (k *keySet) close() {
	if k.tx != nil {
		k.tx.Rollback()
	}
	if k.db != nil {
		k.db.Close()
	}
	os.RemoveAll(k.dir)
}

// checkRows is an import's first pass, outside any registry transaction:
// every line of in is parsed and validated and its key checked against the
// earlier lines'. It returns the first MaxProblems problems in line order
// (nil when every line is valid) and the number of valid lines, or an I/O
// or scratch database error.
func checkRows[T any](ctx context.Context, in *csvReader, now time.Time, imp rowImport[T]) (*ImportError, int, error) {
	keys, err := newKeySet(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("duplicate check: %w", err)
	}
	defer keys.close()
	var probs []Problem
	valid := 0
	for len(probs) < MaxProblems {
		row, rowProbs, fatal, err := in.next()
		switch {
		case errors.Is(err, io.EOF):
			return problems(probs, false), valid, nil
		case err != nil:
			return nil, 0, err
		case fatal:
			return problems(append(probs, rowProbs...), true), 0, nil
		}
		if rowProbs == nil {
			var rec T
			if rec, rowProbs = imp.parse(row, now); len(rowProbs) == 0 {
				first, added, err := keys.add(ctx, imp.key(rec), row.line)
				if err != nil {
					return nil, 0, fmt.Errorf("duplicate check: %w", err)
				}
				if !added {
					rowProbs = []Problem{{Line: row.line, Reason: fmt.Sprintf("duplicate of line %d (%s)", first, imp.dup)}}
				}
				valid++
			}
		}
		probs = append(probs, rowProbs...)
	}
	_, _, _, err = in.next()
	return problems(probs, !errors.Is(err, io.EOF)), 0, nil
}

// problems returns the *ImportError of probs (in line order, as read), cut
// to MaxProblems, or nil when there are none; truncated says reading
// stopped before the end.
func problems(probs []Problem, truncated bool) *ImportError {
	if len(probs) == 0 {
		return nil
	}
	if len(probs) > MaxProblems {
		probs, truncated = probs[:MaxProblems], true
	}
	return &ImportError{Problems: probs, Truncated: truncated}
}
