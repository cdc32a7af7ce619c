package sqldb

import (
	"context"
	"database/sql"
	"fmt"
)

// Step is one schema version: the statements that bring a store from the
// previous version to this one, per dialect (types differ: BIGINT and
// BIGSERIAL on PostgreSQL, WITHOUT ROWID and AUTOINCREMENT on SQLite).
type Step struct {
	SQLite   []string
	Postgres []string
}

// versionsTable records each component's schema version; components (the
// registry, the archive) share one database and migrate independently.
const versionsTable = `CREATE TABLE IF NOT EXISTS milter91_schema (
	component TEXT PRIMARY KEY,
	version   INTEGER NOT NULL
)`

// Migrate brings component's schema to len(steps), running the missing
// steps in order in one write transaction, and records the version.
// Several processes or hosts starting at once migrate once: SQLite's
// BEGIN IMMEDIATE and a PostgreSQL advisory lock serialize them. Errors: a
// schema newer than steps (written by a newer milter91), a failing
// statement (nothing is applied then).
func (db *DB) Migrate(ctx context.Context, component string, steps []Step) error {
	return db.Write(ctx, func(tx *sql.Tx) error {
		if err := db.LockKey(ctx, tx, "milter91_schema"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, versionsTable); err != nil {
			return fmt.Errorf("%s schema: %w", component, err)
		}
		v, err := db.version(ctx, tx, component)
		if err != nil {
			return err
		}
		if v > len(steps) {
			return fmt.Errorf("%s schema version %d, this program knows %d", component, v, len(steps))
		}
		for i := v; i < len(steps); i++ {
			stmts := steps[i].SQLite
			if db.Dialect == Postgres {
				stmts = steps[i].Postgres
			}
			for _, s := range stmts {
				if _, err := tx.ExecContext(ctx, s); err != nil {
					return fmt.Errorf("%s schema version %d: %w", component, i+1, err)
				}
			}
		}
		if v == len(steps) {
			return nil
		}
		return db.setVersion(ctx, tx, component, len(steps))
	})
}

// SchemaVersion returns component's recorded schema version, 0 when none.
func (db *DB) SchemaVersion(ctx context.Context, component string) (int, error) {
	var v int
	err := db.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, versionsTable); err != nil {
			return err
		}
		var err error
		v, err = db.version(ctx, tx, component)
		return err
	})
	return v, err
}

// ExistingVersion returns component's recorded schema version without
// writing anything; 0 when the database has no versions table or no row
// for component (not a store of that component, or an empty file).
func (db *DB) ExistingVersion(ctx context.Context, component string) (int, error) {
	var v int
	err := db.Read(ctx, func(tx *sql.Tx) error {
		var n int
		q := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'milter91_schema'`
		if db.Dialect == Postgres {
			q = `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'milter91_schema'`
		}
		if err := tx.QueryRowContext(ctx, q).Scan(&n); err != nil || n == 0 {
			return err
		}
		var err error
		v, err = db.version(ctx, tx, component)
		return err
	})
	return v, err
}

// SetVersion records version for component without running any step: for
// adopting a schema created before the versions table existed.
func (db *DB) SetVersion(ctx context.Context, tx *sql.Tx, component string, version int) error {
	if _, err := tx.ExecContext(ctx, versionsTable); err != nil {
		return err
	}
	return db.setVersion(ctx, tx, component, version)
}

func (db *DB) version(ctx context.Context, tx *sql.Tx, component string) (int, error) {
	var v int
	err := tx.QueryRowContext(ctx, db.Rebind(`SELECT version FROM milter91_schema WHERE component = ?`), component).Scan(&v)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("%s schema version: %w", component, err)
	}
	return v, nil
}

func (db *DB) setVersion(ctx context.Context, tx *sql.Tx, component string, v int) error {
	_, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO milter91_schema (component, version) VALUES (?, ?)
		ON CONFLICT (component) DO UPDATE SET version = excluded.version`), component, v)
	if err != nil {
		return fmt.Errorf("%s schema version: %w", component, err)
	}
	return nil
}
