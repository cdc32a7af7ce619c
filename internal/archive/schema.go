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
