package registry

import (
	"context"
	"database/sql"
	"fmt"
)

// schemaVersion is the PRAGMA user_version this code writes and reads.
const schemaVersion = 1

// schemaV1 creates the tables. All times are Unix milliseconds, UTC.
//
//   - consents: one row per (advertiser, recipient) (Art. 11.2); max_per_day
//     0 means the default cap (Art. 13.5); revoked_at NULL means active.
//   - refusals: one row per (advertiser, recipient, scope) (Art. 13.4, 20).
//   - sends: one row per accepted advertising email, for the rolling 24 h
//     count (Art. 13.5); sends_pair serves the count, sends_time the prune;
//     AUTOINCREMENT so that a released id is never reused and a stale
//     Release cannot delete another message's send.
//   - refusal_mailboxes: refusal addresses an inbound ad to recipient named.
//
// last_used_at drives retention (Art. 11.7). The WITHOUT ROWID primary keys
// make the per-recipient lookups one B-tree descent at any table size.
var schemaV1 = []string{
	`CREATE TABLE consents (
		advertiser   TEXT    NOT NULL,
		recipient    TEXT    NOT NULL,
		method       TEXT    NOT NULL,
		consented_at INTEGER NOT NULL,
		evidence     TEXT    NOT NULL DEFAULT '',
		max_per_day  INTEGER NOT NULL DEFAULT 0,
		revoked_at   INTEGER,
		last_used_at INTEGER NOT NULL,
		PRIMARY KEY (advertiser, recipient)
	) WITHOUT ROWID`,
	`CREATE TABLE refusals (
		advertiser   TEXT    NOT NULL,
		recipient    TEXT    NOT NULL,
		scope        TEXT    NOT NULL,
		refused_at   INTEGER NOT NULL,
		channel      TEXT    NOT NULL,
		evidence     TEXT    NOT NULL DEFAULT '',
		last_used_at INTEGER NOT NULL,
		PRIMARY KEY (advertiser, recipient, scope)
	) WITHOUT ROWID`,
	`CREATE TABLE sends (
		id         INTEGER PRIMARY KEY AUTOINCREMENT,
		advertiser TEXT    NOT NULL,
		recipient  TEXT    NOT NULL,
		direction  TEXT    NOT NULL,
		sent_at    INTEGER NOT NULL
	)`,
	`CREATE INDEX sends_pair ON sends (advertiser, recipient, direction, sent_at)`,
	`CREATE INDEX sends_time ON sends (sent_at)`,
	`CREATE TABLE refusal_mailboxes (
		mailbox    TEXT    NOT NULL,
		recipient  TEXT    NOT NULL,
		advertiser TEXT    NOT NULL,
		seen_at    INTEGER NOT NULL,
		PRIMARY KEY (mailbox, recipient, advertiser)
	) WITHOUT ROWID`,
	`CREATE INDEX refusal_mailboxes_seen ON refusal_mailboxes (seen_at)`,
}

// migrate creates the schema in an empty file and refuses a file written
// by a newer version or by another program. It runs in one BEGIN IMMEDIATE transaction, so two
// processes opening a new file at once do not both create it.
func migrate(ctx context.Context, w *sql.DB) error {
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	switch {
	case v == schemaVersion:
		return nil
	case v != 0:
		return fmt.Errorf("schema version %d, this program knows %d", v, schemaVersion)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master`).Scan(&n); err != nil {
		return fmt.Errorf("read schema: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("not a milter91 registry: %d schema objects and no version", n)
	}
	for _, stmt := range schemaV1 {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, schemaVersion)); err != nil {
		return fmt.Errorf("set schema version: %w", err)
	}
	return tx.Commit()
}
