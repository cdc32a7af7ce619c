package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"milter91/internal/sqldb"
)

// defaultPruneChunk is how many header rows one Prune transaction deletes at
// most (ties on the last time may add a few): small enough that the
// Writer's next batch never waits long for SQLite's single writer.
const defaultPruneChunk = 5000

// Store is an open archive: the header rows, their recipients and the
// daily counts, in a SQLite file or a PostgreSQL database. Safe for
// concurrent use; on PostgreSQL several hosts may share one database.
type Store struct {
	// db is the open database; nil after a SQLite file vanished and its
	// successor could not be created yet (reopen).
	db      atomic.Pointer[sqldb.DB]
	target  string
	dialect sqldb.Dialect
	// reopening serializes reopen.
	reopening sync.Mutex
	// chunk is defaultPruneChunk; tests lower it.
	chunk int
	// partitioned: a PostgreSQL archive at schema version 2 (Open),
	// whose big tables are partitioned by day; parts are the day
	// partitions known (partition.go).
	partitioned bool
	parts       partitionDays
}

// errNoFile is the error of a store whose SQLite file vanished and could
// not be created again yet.
var errNoFile = errors.New("archive: the database file is gone and a new one could not be created yet")

func newStore(db *sqldb.DB, target string) *Store {
	s := &Store{target: target, dialect: db.Dialect, chunk: defaultPruneChunk}
	s.db.Store(db)
	return s
}

// rebind is sqldb.Rebind in the store's dialect.
func (s *Store) rebind(q string) string { return sqldb.Rebind(s.dialect, q) }

// cur returns the open database, or errNoFile.
func (s *Store) cur() (*sqldb.DB, error) {
	if db := s.db.Load(); db != nil {
		return db, nil
	}
	return nil, errNoFile
}

// writable returns the database to write to, first creating the archive
// again at its path when an earlier reopen failed.
func (s *Store) writable(ctx context.Context) (*sqldb.DB, error) {
	if db := s.db.Load(); db != nil {
		return db, nil
	}
	if err := s.reopen(ctx, nil); err != nil {
		return nil, err
	}
	return s.cur()
}

// write runs fn in one write transaction (sqldb.DB.Write), recovering
// from a vanished SQLite file (see recover).
func (s *Store) write(ctx context.Context, fn func(*sql.Tx) error) error {
	db, err := s.writable(ctx)
	if err != nil {
		return err
	}
	return s.recover(ctx, db, db.Write(ctx, fn))
}

// read runs fn in one read-only transaction (sqldb.DB.Read).
func (s *Store) read(ctx context.Context, fn func(*sql.Tx) error) error {
	db, err := s.cur()
	if err != nil {
		return err
	}
	return db.Read(ctx, fn)
}

// recover handles a write that failed with err on db: when the SQLite file
// vanished or was replaced (sqldb.ErrFileChanged), it closes db and opens
// (creating) the archive at the path again, so that the caller's retry
// lands in the file the path names. It returns err, with what it did.
func (s *Store) recover(ctx context.Context, db *sqldb.DB, err error) error {
	if !errors.Is(err, sqldb.ErrFileChanged) {
		return err
	}
	if rerr := s.reopen(ctx, db); rerr != nil {
		return errors.Join(err, rerr)
	}
	return fmt.Errorf("%w (a new archive is open at the path; the batch is retried)", err)
}

// reopen replaces old (nil: none open) by the archive at the path, created
// and migrated when missing. Another caller's reopen since old was read
// counts as done.
func (s *Store) reopen(ctx context.Context, old *sqldb.DB) error {
	s.reopening.Lock()
	defer s.reopening.Unlock()
	if s.db.Load() != old {
		return nil
	}
	if old != nil {
		s.db.Store(nil)
		old.Close()
	}
	db, err := sqldb.Open(ctx, s.target)
	if err != nil {
		return fmt.Errorf("archive: reopen: %w", err)
	}
	if err := db.Migrate(ctx, "archive", steps); err != nil {
		db.Close()
		return fmt.Errorf("archive: reopen: %s: %w", db.Name, err)
	}
	s.db.Store(db)
	return nil
}

// Open opens target (a SQLite file name, created when missing, or a
// PostgreSQL URL or DSN; see sqldb.Open) and brings the archive schema to
// this program's version. A SQLite file deleted or replaced while the
// Store is open is noticed by the next write (sqldb.ErrFileChanged), which
// fails; the Store then creates the archive at the path again. Errors: a bad target, an unreachable server, a schema
// written by a newer milter91, a failing migration.
func Open(ctx context.Context, target string) (*Store, error) {
	db, err := sqldb.Open(ctx, target)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	if err := db.Migrate(ctx, "archive", steps); err != nil {
		db.Close()
		return nil, fmt.Errorf("archive: %s: %w", db.Name, err)
	}
	s := newStore(db, target)
	s.partitioned = db.Dialect == sqldb.Postgres
	return s, nil
}

// OpenExisting opens an archive for reading (the CLI's search and
// report): target must already hold an archive this program knows; it
// creates and migrates nothing. Errors: as Open, and "not a milter91
// archive" for any other database, "newer" for a schema from a later
// version.
func OpenExisting(ctx context.Context, target string) (*Store, error) {
	db, err := sqldb.Open(ctx, target)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	v, err := db.ExistingVersion(ctx, "archive")
	switch {
	case err != nil:
		err = fmt.Errorf("archive: %s: %w", db.Name, err)
	case v == 0:
		err = fmt.Errorf("archive: %s is not a milter91 archive (no archive schema)", db.Name)
	case v > len(steps):
		err = fmt.Errorf("archive: %s: schema version %d is newer than this program's %d", db.Name, v, len(steps))
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return newStore(db, target), nil
}

// Close closes the connection pools.
func (s *Store) Close() error {
	s.reopening.Lock()
	defer s.reopening.Unlock()
	if db := s.db.Swap(nil); db != nil {
		return db.Close()
	}
	return nil
}
