// Package registry is the Decree 91/2020 consent and refusal registry and
// the rolling 24 h send counter, on an embedded SQLite file
// (modernc.org/sqlite, no cgo).
//
// Storage conventions:
//   - Times are stored as Unix milliseconds, UTC (INTEGER); the API takes
//     and returns time.Time, truncated to the millisecond.
//   - Advertiser ids are lower-case organizational domains; addresses are
//     stored and compared as the lower-cased whole address (normAddress).
//   - Writes go through one connection and BEGIN IMMEDIATE, so a count and
//     the insert it allows cannot interleave with another writer, in this
//     process or another one (the CLI next to the daemon); busy_timeout
//     makes a second writer wait instead of failing. synchronous=FULL in
//     WAL mode makes every commit durable when the call returns.
//   - Reads that need no write use a small pool of query_only connections;
//     WAL lets them run while a write is in progress.
package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// busyTimeoutMS is how long a writer waits for another writer's lock
// before failing with SQLITE_BUSY (our choice: well below a milter
// deadline yet long enough for a CLI import's commit).
const busyTimeoutMS = 5000

// readConns is the size of the read pool.
const readConns = 4

// Store is an open registry file. It is safe for concurrent use.
type Store struct {
	w          *sql.DB // one connection, BEGIN IMMEDIATE transactions
	r          *sql.DB // query_only pool
	hot        *hotStmts
	seen       seenCache // refusal mailboxes refreshed lately, to skip their reads
	defaultCap int
}

// SetDefaultCap sets the cap per advertiser and recipient per 24 h for
// consents without an agreed maximum (Decree 91/2020 Art. 13.5: 3). Call
// it before concurrent use; n < 1 is ignored.
func (s *Store) SetDefaultCap(n int) {
	if n >= 1 {
		s.defaultCap = n
	}
}

// Open opens (creating when missing) the registry at path, a file name
// (not a URI; ":memory:" is refused because the read pool and the writer
// must share the file). It sets WAL, synchronous=FULL and busy_timeout and
// creates or checks the schema (PRAGMA user_version). Errors: bad path,
// unopenable file, a schema newer than this program's.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || path == ":memory:" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("registry: invalid database path %q (want a file name without ? or #)", path)
	}
	common := fmt.Sprintf("?_pragma=busy_timeout(%d)", busyTimeoutMS)
	w, err := sql.Open("sqlite", path+common+"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("registry: %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", path+common+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("registry: %w", err)
	}
	r.SetMaxOpenConns(readConns)
	r.SetMaxIdleConns(readConns)
	hot, err := prepareHot(ctx, w, r)
	if err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("registry: %s: %w", path, err)
	}
	return &Store{w: w, r: r, hot: hot, defaultCap: DefaultCap}, nil
}

// Close closes the prepared statements and both connection pools; the
// file stays consistent (WAL).
func (s *Store) Close() error {
	return errors.Join(s.hot.close(), s.r.Close(), s.w.Close())
}

// write runs fn in one BEGIN IMMEDIATE transaction on the writer and
// commits (durably, synchronous=FULL); any error rolls back.
func (s *Store) write(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("registry: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("registry: commit: %w", err)
	}
	return nil
}

// read runs fn in one read-only transaction, so that its queries see one
// snapshot.
func (s *Store) read(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("registry: begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}
