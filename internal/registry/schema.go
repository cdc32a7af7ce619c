package registry

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"milter91/internal/sqldb"
)

// component is the registry's name in the milter91_schema versions table.
const component = "registry"

// legacyVersion is the PRAGMA user_version that SQLite files got before
// the versions table existed; such a file holds the tables of schemaV1.
const legacyVersion = 1

// schemaV1 creates the tables on SQLite. All times are Unix milliseconds,
// UTC.
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

// pgSchemaV1 is schemaV1 for PostgreSQL: BIGINT for every time and count,
// BIGSERIAL ids (a sequence never hands out a number twice, as
// AUTOINCREMENT), ordinary B-tree primary keys in place of WITHOUT ROWID,
// and COLLATE "C" on the text keys so that listings sort byte-wise like
// SQLite's BINARY whatever the database's locale.
var pgSchemaV1 = []string{
	`CREATE TABLE consents (
		advertiser   TEXT COLLATE "C" NOT NULL,
		recipient    TEXT COLLATE "C" NOT NULL,
		method       TEXT   NOT NULL,
		consented_at BIGINT NOT NULL,
		evidence     TEXT   NOT NULL DEFAULT '',
		max_per_day  BIGINT NOT NULL DEFAULT 0,
		revoked_at   BIGINT,
		last_used_at BIGINT NOT NULL,
		PRIMARY KEY (advertiser, recipient)
	)`,
	`CREATE TABLE refusals (
		advertiser   TEXT COLLATE "C" NOT NULL,
		recipient    TEXT COLLATE "C" NOT NULL,
		scope        TEXT COLLATE "C" NOT NULL,
		refused_at   BIGINT NOT NULL,
		channel      TEXT   NOT NULL,
		evidence     TEXT   NOT NULL DEFAULT '',
		last_used_at BIGINT NOT NULL,
		PRIMARY KEY (advertiser, recipient, scope)
	)`,
	`CREATE TABLE sends (
		id         BIGSERIAL PRIMARY KEY,
		advertiser TEXT   NOT NULL,
		recipient  TEXT   NOT NULL,
		direction  TEXT   NOT NULL,
		sent_at    BIGINT NOT NULL
	)`,
	`CREATE INDEX sends_pair ON sends (advertiser, recipient, direction, sent_at)`,
	`CREATE INDEX sends_time ON sends (sent_at)`,
	`CREATE TABLE refusal_mailboxes (
		mailbox    TEXT COLLATE "C" NOT NULL,
		recipient  TEXT COLLATE "C" NOT NULL,
		advertiser TEXT COLLATE "C" NOT NULL,
		seen_at    BIGINT NOT NULL,
		PRIMARY KEY (mailbox, recipient, advertiser)
	)`,
	`CREATE INDEX refusal_mailboxes_seen ON refusal_mailboxes (seen_at)`,
}

// steps are the registry's schema versions for sqldb.Migrate. The SQLite
// steps also keep PRAGMA user_version equal to the version, so that a
// milter91 from before the versions table still opens a version 1 file
// and refuses a newer one.
var steps = []sqldb.Step{
	{SQLite: append(slices.Clone(schemaV1), fmt.Sprintf(`PRAGMA user_version = %d`, legacyVersion)), Postgres: pgSchemaV1},
}

// migrate brings db to the registry schema of steps; a SQLite file is
// first checked and, when it predates the versions table, adopted.
func migrate(ctx context.Context, db *sqldb.DB) error {
	if db.Dialect == sqldb.SQLite {
		if err := adoptLegacy(ctx, db); err != nil {
			return err
		}
	}
	return db.Migrate(ctx, component, steps)
}

// adoptLegacy records a SQLite file written before the versions table
// (PRAGMA user_version = legacyVersion) as version legacyVersion without
// touching its tables, and refuses a file with a newer user_version or
// with another program's tables (schema objects, but neither a
// user_version nor a versions table). It runs in one BEGIN IMMEDIATE
// transaction, so it cannot interleave with another process's migration.
func adoptLegacy(ctx context.Context, db *sqldb.DB) error {
	return db.Write(ctx, func(tx *sql.Tx) error {
		var user, objects, versions int
		if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&user); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE type = 'table' AND name = 'milter91_schema')
			FROM sqlite_master`).Scan(&objects, &versions); err != nil {
			return fmt.Errorf("read schema: %w", err)
		}
		if versions > 0 {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM milter91_schema WHERE component = ?`, component).Scan(&n); err != nil {
				return fmt.Errorf("read schema version: %w", err)
			}
			if n > 0 {
				return nil // versioned: sqldb.Migrate takes it from here
			}
		}
		switch {
		case user == legacyVersion:
			return db.SetVersion(ctx, tx, component, legacyVersion)
		case user != 0:
			return fmt.Errorf("schema version %d, this program knows %d", user, len(steps))
		case objects > 0 && versions == 0:
			return fmt.Errorf("not a milter91 registry: %d schema objects and no version", objects)
		}
		return nil
	})
}
