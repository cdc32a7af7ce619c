package archive

import "milter91/internal/sqldb"

// steps are the archive's schema versions for sqldb.Migrate (component
// "archive"). Tables carry an archive_ prefix because the registry and the
// archive may share one database. Times are Unix milliseconds, UTC.
//
//   - archive_headers: one row per message. header is BLOB/BYTEA so that
//     8-bit bytes survive (PostgreSQL TEXT refuses invalid UTF-8 and NUL);
//     rules and articles are JSON arrays. The (column, time) indexes serve
//     Search by message id, From and client IP newest first; time serves
//     Search by time alone and Prune.
//   - archive_recipients: one row per distinct envelope recipient, with the
//     message's time copied so that Search by recipient is one index range
//     (rcpt, time) and Prune deletes both tables by the same time bound.
//   - archive_daily_counts: the Art. 10.7 counts; the primary key is the
//     upsert target of Insert (n = n + excluded.n).
//
// Version 2 partitions archive_headers and archive_recipients by day on
// PostgreSQL (partitionV2); SQLite keeps version 1's tables.
var steps = []sqldb.Step{
	{
		SQLite: append([]string{
			`CREATE TABLE archive_headers (
				id          INTEGER PRIMARY KEY,
				time        INTEGER NOT NULL,
				queue_id    TEXT    NOT NULL,
				direction   TEXT    NOT NULL,
				client_ip   TEXT    NOT NULL,
				client_name TEXT    NOT NULL,
				helo        TEXT    NOT NULL,
				mail_from   TEXT    NOT NULL,
				message_id  TEXT    NOT NULL,
				from_addr   TEXT    NOT NULL,
				subject     TEXT    NOT NULL,
				header      BLOB    NOT NULL,
				action      TEXT    NOT NULL,
				score       REAL    NOT NULL,
				rules       TEXT    NOT NULL,
				articles    TEXT    NOT NULL,
				advertiser  TEXT    NOT NULL,
				reply       TEXT    NOT NULL,
				size        INTEGER NOT NULL
			)`,
			`CREATE TABLE archive_recipients (
				header_id INTEGER NOT NULL,
				rcpt      TEXT    NOT NULL,
				time      INTEGER NOT NULL,
				PRIMARY KEY (header_id, rcpt)
			) WITHOUT ROWID`,
			`CREATE TABLE archive_daily_counts (
				day       INTEGER NOT NULL,
				direction TEXT    NOT NULL,
				dimension TEXT    NOT NULL,
				key       TEXT    NOT NULL,
				n         INTEGER NOT NULL,
				PRIMARY KEY (day, direction, dimension, key)
			) WITHOUT ROWID`,
		}, indexesV1...),
		Postgres: append([]string{
			`CREATE TABLE archive_headers (
				id          BIGSERIAL PRIMARY KEY,
				time        BIGINT           NOT NULL,
				queue_id    TEXT             NOT NULL,
				direction   TEXT             NOT NULL,
				client_ip   TEXT             NOT NULL,
				client_name TEXT             NOT NULL,
				helo        TEXT             NOT NULL,
				mail_from   TEXT             NOT NULL,
				message_id  TEXT             NOT NULL,
				from_addr   TEXT             NOT NULL,
				subject     TEXT             NOT NULL,
				header      BYTEA            NOT NULL,
				action      TEXT             NOT NULL,
				score       DOUBLE PRECISION NOT NULL,
				rules       TEXT             NOT NULL,
				articles    TEXT             NOT NULL,
				advertiser  TEXT             NOT NULL,
				reply       TEXT             NOT NULL,
				size        BIGINT           NOT NULL
			)`,
			`CREATE TABLE archive_recipients (
				header_id BIGINT NOT NULL,
				rcpt      TEXT   NOT NULL,
				time      BIGINT NOT NULL,
				PRIMARY KEY (header_id, rcpt)
			)`,
			`CREATE TABLE archive_daily_counts (
				day       BIGINT NOT NULL,
				direction TEXT   NOT NULL,
				dimension TEXT   NOT NULL,
				key       TEXT   NOT NULL,
				n         BIGINT NOT NULL,
				PRIMARY KEY (day, direction, dimension, key)
			)`,
		}, indexesV1...),
	},
	{SQLite: nil, Postgres: partitionV2},
}

// partitionV2 makes the two big tables of a PostgreSQL archive
// partitioned by range of time, one partition per UTC day (partition.go),
// so that retention drops whole days instead of deleting rows: at 10 M
// messages a day an hourly DELETE over 180 days of rows does not keep up.
// The version 1 tables become the DEFAULT partitions, attached in place
// (their rows are not copied; they leave by Prune's DELETE as they age);
// their serial id sequence stays with them. The primary keys gain time,
// which a partitioned table's unique keys must hold; attaching builds
// those two indexes on the old tables, and matches the others.
var partitionV2 = []string{
	`ALTER TABLE archive_headers RENAME TO archive_headers_default`,
	`ALTER TABLE archive_recipients RENAME TO archive_recipients_default`,
	`ALTER TABLE archive_headers_default DROP CONSTRAINT archive_headers_pkey`,
	`ALTER TABLE archive_recipients_default DROP CONSTRAINT archive_recipients_pkey`,
	`CREATE TABLE archive_headers (LIKE archive_headers_default INCLUDING DEFAULTS) PARTITION BY RANGE (time)`,
	`ALTER TABLE archive_headers ADD PRIMARY KEY (id, time)`,
	`CREATE TABLE archive_recipients (LIKE archive_recipients_default INCLUDING DEFAULTS) PARTITION BY RANGE (time)`,
	`ALTER TABLE archive_recipients ADD PRIMARY KEY (header_id, rcpt, time)`,
	`ALTER INDEX archive_headers_time RENAME TO archive_headers_default_time`,
	`ALTER INDEX archive_headers_message_id RENAME TO archive_headers_default_message_id`,
	`ALTER INDEX archive_headers_from RENAME TO archive_headers_default_from`,
	`ALTER INDEX archive_headers_client_ip RENAME TO archive_headers_default_client_ip`,
	`ALTER INDEX archive_recipients_rcpt RENAME TO archive_recipients_default_rcpt`,
	`ALTER INDEX archive_recipients_time RENAME TO archive_recipients_default_time`,
	indexesV1[0], indexesV1[1], indexesV1[2], indexesV1[3], indexesV1[4], indexesV1[5],
	`ALTER TABLE archive_headers ATTACH PARTITION archive_headers_default DEFAULT`,
	`ALTER TABLE archive_recipients ATTACH PARTITION archive_recipients_default DEFAULT`,
}

// indexesV1 are the same in both dialects.
var indexesV1 = []string{
	`CREATE INDEX archive_headers_time ON archive_headers (time)`,
	`CREATE INDEX archive_headers_message_id ON archive_headers (message_id, time)`,
	`CREATE INDEX archive_headers_from ON archive_headers (from_addr, time)`,
	`CREATE INDEX archive_headers_client_ip ON archive_headers (client_ip, time)`,
	`CREATE INDEX archive_recipients_rcpt ON archive_recipients (rcpt, time)`,
	`CREATE INDEX archive_recipients_time ON archive_recipients (time)`,
}
