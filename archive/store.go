package archive

import (
	"context"
	"fmt"

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
	db *sqldb.DB
	// chunk is defaultPruneChunk; tests lower it.
	chunk int
}

// Open opens target (a SQLite file name, created when missing, or a
// postgres:// URL; see sqldb.Open) and brings the archive schema to this
// program's version. Errors: a bad target, an unreachable server, a schema
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
	return &Store{db: db, chunk: defaultPruneChunk}, nil
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
	return &Store{db: db, chunk: defaultPruneChunk}, nil
}

// Close closes the connection pools.
func (s *Store) Close() error {
	return s.db.Close()
}
