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

// Close closes the connection pools.
func (s *Store) Close() error {
	return s.db.Close()
}
