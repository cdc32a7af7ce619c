// Package sqldb opens the SQL stores milter91 keeps state in (the Decree 91
// registry, the header archive, report counts) on either backend: an
// embedded SQLite file (modernc.org/sqlite, no cgo) for one host, or a
// PostgreSQL server (github.com/jackc/pgx/v5 through database/sql) shared by
// several hosts. Callers write their SQL once with `?` placeholders and
// portable types; Rebind and per-dialect migration steps cover the rest.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver

	"milter91/internal/dsn"
)

// Dialect is the SQL backend of a DB.
type Dialect int

const (
	// SQLite is an embedded file: one writer connection, BEGIN IMMEDIATE.
	SQLite Dialect = iota
	// Postgres is a PostgreSQL server reached by DSN.
	Postgres
)

// String returns "sqlite" or "postgres".
func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// busyTimeoutMS is how long a SQLite writer waits for another writer's
// lock before failing with SQLITE_BUSY: well below a milter deadline yet
// long enough for a CLI import's commit.
const busyTimeoutMS = 5000

// readConns is the size of the SQLite read pool.
const readConns = 4

// pgConns caps the connections to a PostgreSQL server per DB: several MX
// hosts share one server, whose default max_connections is 100.
const pgConns = 10

// DB is an open store. W takes writes (for SQLite one connection whose
// transactions are BEGIN IMMEDIATE, so a count and the insert it allows
// cannot interleave with another writer, in this process or another); R
// takes reads (for SQLite a query_only pool that WAL lets run beside a
// write; for PostgreSQL the same pool as W). Safe for concurrent use.
type DB struct {
	Dialect Dialect
	W       *sql.DB
	R       *sql.DB
	// Name is the file name or the DSN with its passwords masked (dsn.Redact),
	// for messages.
	Name string
	file fileIdentity // SQLite: the file opened, for CheckFile
}

// Open opens target: a PostgreSQL URL or key=value DSN (see dsn.Is; libpq
// parameters such as sslmode, connect_timeout and passfile apply) or a
// SQLite file name, created when missing (not a URI; ":memory:" is refused
// because the read pool and the writer must share the file). SQLite runs in WAL mode with
// synchronous=FULL, so a commit is durable when it returns. Errors: a bad
// name or DSN, an unreachable server (Open pings it within ctx).
func Open(ctx context.Context, target string) (*DB, error) {
	if dsn.Is(target) {
		return openPostgres(ctx, target)
	}
	return openSQLite(ctx, target)
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" || path == ":memory:" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("invalid database path %q (want a file name without ? or #, or a postgres:// URL)", path)
	}
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	common := fmt.Sprintf("?_pragma=busy_timeout(%d)", busyTimeoutMS)
	w, err := sql.Open("sqlite", path+common+"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	if err := connectWriter(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	id, err := openedFile(path)
	if err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", path+common+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(readConns)
	r.SetMaxIdleConns(readConns)
	return &DB{Dialect: SQLite, W: w, R: r, Name: path, file: id}, nil
}

// connectWriter opens the writer's connection, which switches the file to
// WAL. Two processes creating the same file at once can both try that
// switch, and busy_timeout does not cover it: the loser gets SQLITE_BUSY
// and retries (the file then exists and is in WAL mode).
func connectWriter(ctx context.Context, w *sql.DB) error {
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		if err = w.PingContext(ctx); err == nil || !strings.Contains(err.Error(), "SQLITE_BUSY") {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 10 * time.Millisecond):
		}
	}
	return err
}

func openPostgres(ctx context.Context, target string) (*DB, error) {
	name := dsn.Redact(target)
	db, err := sql.Open("pgx", target)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, RedactError(target, err))
	}
	db.SetMaxOpenConns(pgConns)
	db.SetMaxIdleConns(pgConns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", name, RedactError(target, err))
	}
	return &DB{Dialect: Postgres, W: db, R: db, Name: name}, nil
}

// Close closes the pools.
func (db *DB) Close() error {
	if db.R == db.W {
		return db.W.Close()
	}
	return errors.Join(db.R.Close(), db.W.Close())
}

// Rebind rewrites the `?` placeholders of q for the dialect: unchanged for
// SQLite, $1, $2, … for PostgreSQL. `?` inside '…' literals, "…"
// identifiers and -- comments is left alone.
func (db *DB) Rebind(q string) string { return Rebind(db.Dialect, q) }

// Rebind is DB.Rebind for dialect d.
func Rebind(d Dialect, q string) string {
	if d != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			end := strings.IndexByte(q[i:], '\n')
			if end < 0 {
				end = len(q) - i
			}
			b.WriteString(q[i : i+end])
			i += end - 1
			continue
		case c == '?':
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Write runs fn in one write transaction and commits; any error from fn
// rolls back and is returned unchanged, a failed begin or commit is
// wrapped. SQLite: BEGIN IMMEDIATE, durable at return; when the file at
// the path is no longer the one opened after the commit (CheckFile: one
// stat), Write fails with ErrFileChanged: what it wrote is not in the
// file the path names, and a retry must go to a new one. PostgreSQL:
// READ COMMITTED, asked for explicitly whatever the server's or the
// role's default_transaction_isolation, so that each statement sees what
// was committed before it began; use LockKey inside fn to serialize a
// read-then-write (the statements after it see every commit of the lock's
// previous holder).
func (db *DB) Write(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.W.BeginTx(ctx, writeOptions(db.Dialect))
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return db.CheckFile()
}

// writeOptions are Write's transaction options: READ COMMITTED on
// PostgreSQL; SQLite's BEGIN IMMEDIATE (the writer's _txlock) is
// serializable and takes no isolation level.
func writeOptions(d Dialect) *sql.TxOptions {
	if d == Postgres {
		return &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	return nil
}

// Read runs fn in one read-only transaction, so that its queries see one
// snapshot (PostgreSQL: REPEATABLE READ).
func (db *DB) Read(ctx context.Context, fn func(*sql.Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.Dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.R.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// LockKey serializes the rest of tx (a Write transaction) against every
// other transaction that locks the same key, on any host: PostgreSQL takes
// a transaction-scoped advisory lock on a 64-bit hash of key (key must be
// valid UTF-8 without NUL, as any PostgreSQL text); SQLite needs nothing,
// its BEGIN IMMEDIATE already excludes every other writer.
func (db *DB) LockKey(ctx context.Context, tx *sql.Tx, key string) error {
	if db.Dialect != Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, key); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	return nil
}
