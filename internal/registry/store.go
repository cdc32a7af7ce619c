// Package registry is the Decree 91/2020 consent and refusal registry and
// the rolling 24 h send counter, on either backend of internal/sqldb: an
// embedded SQLite file (modernc.org/sqlite, no cgo) for one host, or a
// PostgreSQL server (pgx) that several MX hosts share, so that a refusal
// recorded on one host stops ads on all of them and the cap counts every
// host's sends.
//
// Storage conventions:
//   - Times are stored as Unix milliseconds, UTC (INTEGER on SQLite, BIGINT
//     on PostgreSQL); the API takes and returns time.Time, truncated to the
//     millisecond.
//   - Advertiser ids are lower-case organizational domains; addresses are
//     stored and compared as the lower-cased whole address (normAddress).
//     PostgreSQL key columns use COLLATE "C", so listings sort byte-wise
//     as SQLite's BINARY does.
//   - A count and the insert it allows (ReserveSend) cannot interleave with
//     another writer: SQLite runs every write as BEGIN IMMEDIATE on one
//     connection (busy_timeout makes a second process wait); PostgreSQL
//     takes an advisory lock on the (advertiser, recipient, direction) key
//     first, which serializes the hosts sharing the server.
//   - Every commit is durable when the call returns (SQLite WAL with
//     synchronous=FULL; PostgreSQL as the server is configured).
//   - The schema is versioned in the shared milter91_schema table
//     (sqldb.Migrate, component "registry"); a SQLite file from before that
//     table is adopted in place.
package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"milter91/internal/sqldb"
)

// Store is an open registry: a SQLite file or a PostgreSQL database. It is
// safe for concurrent use; several Stores (processes, hosts) may share one
// database.
type Store struct {
	db         *sqldb.DB
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

// Open opens the registry at target: a postgres:// or postgresql:// URL
// (the server must be reachable within ctx), or a SQLite file name,
// created when missing (not a URI; ":memory:" is refused because the read
// pool and the writer must share the file). It creates or upgrades the
// schema. Errors: a bad target, an unreachable server, an unopenable file,
// a schema newer than this program's, a SQLite file holding another
// program's tables.
func Open(ctx context.Context, target string) (*Store, error) {
	db, err := sqldb.Open(ctx, target)
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("registry: %s: %w", db.Name, err)
	}
	hot, err := prepareHot(ctx, db)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("registry: %s: %w", db.Name, err)
	}
	return &Store{db: db, hot: hot, defaultCap: DefaultCap}, nil
}

// Close closes the prepared statements and the connection pools; a SQLite
// file stays consistent (WAL).
func (s *Store) Close() error {
	return errors.Join(s.hot.close(), s.db.Close())
}

// Ping checks that the registry answers a read within ctx, for health
// checks: the SQLite file is readable, the PostgreSQL server reachable.
// Errors: the database's, prefixed "registry: ".
func (s *Store) Ping(ctx context.Context) error {
	return s.read(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM consents LIMIT 1`).Scan(&one)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("registry: ping: %w", err)
		}
		return nil
	})
}

// write runs fn in one write transaction (sqldb.DB.Write) and commits;
// any error rolls back. fn's errors come back unchanged, a failed begin or
// commit gets the "registry: " prefix.
func (s *Store) write(ctx context.Context, fn func(*sql.Tx) error) error {
	var fnErr error
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		fnErr = fn(tx)
		return fnErr
	})
	if err != nil && fnErr == nil {
		return fmt.Errorf("registry: %w", err)
	}
	return err
}

// read runs fn in one read-only transaction, so that its queries see one
// snapshot; errors as for write.
func (s *Store) read(ctx context.Context, fn func(*sql.Tx) error) error {
	var fnErr error
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		fnErr = fn(tx)
		return fnErr
	})
	if err != nil && fnErr == nil {
		return fmt.Errorf("registry: %w", err)
	}
	return err
}

// sqliteFuncs spells the standard two-argument GREATEST and LEAST as
// SQLite's scalar max and min.
var sqliteFuncs = strings.NewReplacer("GREATEST(", "max(", "LEAST(", "min(")

// q is portable(s.db, query).
func (s *Store) q(query string) string { return portable(s.db, query) }

// portable adapts query, written once for both backends, to db's dialect:
// `?` placeholders (sqldb.DB.Rebind) and GREATEST/LEAST. Their arguments
// must never be NULL alone: PostgreSQL's GREATEST skips a NULL argument
// where SQLite's max returns NULL.
func portable(db *sqldb.DB, query string) string {
	if db.Dialect == sqldb.SQLite {
		return sqliteFuncs.Replace(query)
	}
	return db.Rebind(query)
}
