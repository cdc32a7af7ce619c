// Package dmarcstore keeps the DMARC inputs of every evaluated message
// (dmarcreport.Entry, with the rua URIs of the record that applied) in a
// SQLite file or a PostgreSQL database (internal/sqldb), for the
// aggregate reports of RFC 9990 that `milter91 dmarc report` builds.
// Entries come from the milter's answers (NewEntry) through a Writer off
// the milter's goroutines.
package dmarcstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"milter91/internal/dmarcreport"
	"milter91/internal/sqldb"
)

// Stored is one kept entry: the report's input and where the policy
// domain asked for aggregate reports when the message was evaluated.
type Stored struct {
	Entry dmarcreport.Entry
	RUA   []string
}

// steps is the schema (component "dmarc"): one row per message, the
// entry as JSON, indexed by time for the report period and for Prune.
var steps = []sqldb.Step{{
	SQLite: []string{
		`CREATE TABLE dmarc_entries (
			id            INTEGER PRIMARY KEY,
			time          INTEGER NOT NULL,
			policy_domain TEXT    NOT NULL,
			entry         TEXT    NOT NULL
		)`,
		`CREATE INDEX dmarc_entries_time ON dmarc_entries (time)`,
	},
	Postgres: []string{
		`CREATE TABLE dmarc_entries (
			id            BIGSERIAL PRIMARY KEY,
			time          BIGINT NOT NULL,
			policy_domain TEXT   NOT NULL,
			entry         TEXT   NOT NULL
		)`,
		`CREATE INDEX dmarc_entries_time ON dmarc_entries (time)`,
	},
}}

// Store is an open entry store, safe for concurrent use.
type Store struct {
	db *sqldb.DB
}

// Open opens (creating and migrating) the store at target: a SQLite file
// name, or a postgres:// URL or libpq key=value DSN (sqldb.Open, whose
// errors mask the password). Errors: a bad target, an unreachable server,
// a schema written by a newer milter91.
func Open(ctx context.Context, target string) (*Store, error) {
	db, err := sqldb.Open(ctx, target)
	if err != nil {
		return nil, fmt.Errorf("dmarcstore: %w", err)
	}
	if err := db.Migrate(ctx, "dmarc", steps); err != nil {
		db.Close()
		return nil, fmt.Errorf("dmarcstore: %s: %w", db.Name, err)
	}
	return &Store{db: db}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Insert writes entries in one transaction; nothing is written on error.
func (s *Store) Insert(ctx context.Context, entries []Stored) error {
	q := s.db.Rebind(`INSERT INTO dmarc_entries (time, policy_domain, entry) VALUES (?, ?, ?)`)
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		for _, e := range entries {
			b, err := json.Marshal(e)
			if err != nil {
				return fmt.Errorf("dmarcstore: %w", err)
			}
			if _, err := tx.ExecContext(ctx, q, e.Entry.Time.UnixMilli(), e.Entry.Policy.Domain, string(b)); err != nil {
				return fmt.Errorf("dmarcstore: insert: %w", err)
			}
		}
		return nil
	})
}

// Entries returns the entries of [since, until), oldest first. Memory is
// linear in their number: a report period is a day (RFC 9990 §2.1.2).
func (s *Store) Entries(ctx context.Context, since, until time.Time) ([]Stored, error) {
	var out []Stored
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.db.Rebind(`SELECT entry FROM dmarc_entries WHERE time >= ? AND time < ? ORDER BY time, id`),
			since.UnixMilli(), until.UnixMilli())
		if err != nil {
			return fmt.Errorf("dmarcstore: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var text string
			if err := rows.Scan(&text); err != nil {
				return fmt.Errorf("dmarcstore: %w", err)
			}
			var e Stored
			if err := json.Unmarshal([]byte(text), &e); err != nil {
				return fmt.Errorf("dmarcstore: a stored entry does not decode: %w", err)
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// Prune deletes the entries older than before and returns how many.
func (s *Store) Prune(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM dmarc_entries WHERE time < ?`), before.UnixMilli())
		if err != nil {
			return fmt.Errorf("dmarcstore: prune: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
