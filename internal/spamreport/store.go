// Package spamreport keeps users' spam reports (Decree 91/2020 Art. 10.2,
// 12.1): feedback reports (RFC 5965, package arf) mailed to the abuse
// mailbox, the feedback loops of large mailbox providers, and reports
// posted on the admin API. Each report is kept with its evidence (the
// reported message as received, at most arf.MaxOriginal bytes) and
// counted in the Art. 10.7 report; a report about an advertising email is
// a refusal of that advertiser by that recipient (Intake).
//
// The store lives on internal/sqldb in its own table and schema component
// ("spamreport"), beside the Decree 91 registry in one database.
package spamreport

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"milter91/internal/sqldb"
)

// Sources of reports.
const (
	SourceARF = "arf" // an RFC 5965 report to the abuse mailbox
	SourceAPI = "api" // POST /v1/reports
)

// Record is one stored report.
type Record struct {
	ID int64 `json:"id"`
	// Time the report was taken in (UTC, milliseconds).
	Time   time.Time `json:"time"`
	Source string    `json:"source"`
	// FeedbackType is RFC 5965's Feedback-Type ("abuse", "not-spam", …).
	FeedbackType string `json:"feedback_type"`
	// Recipient is the reporting user (the reported message's recipient),
	// "" when neither the report nor a Feedback-ID names one.
	Recipient string `json:"recipient"`
	// RecipientFrom says how Recipient was found: "report"
	// (Original-Rcpt-To or the API body), "feedback-id", or "".
	RecipientFrom string `json:"recipient_from"`
	// Sender is the reported message's From address (else its envelope
	// sender); Advertiser its advertiser id, "" when unknown.
	Sender     string `json:"sender"`
	Advertiser string `json:"advertiser"`
	MessageID  string `json:"message_id"`
	// Ad is true when the reported message is an advertising email (see
	// Intake); Refused when a refusal was recorded for it.
	Ad      bool `json:"ad"`
	Refused bool `json:"refused"`
	// Evidence is the reported message as received (bytes, possibly cut:
	// Truncated).
	Evidence  []byte `json:"-"`
	Truncated bool   `json:"evidence_truncated"`
}

// Store is an open report store; safe for concurrent use.
type Store struct{ db *sqldb.DB }

const component = "spamreport"

var steps = []sqldb.Step{{
	SQLite: []string{`CREATE TABLE spam_reports (
		id             INTEGER PRIMARY KEY AUTOINCREMENT,
		received_at    INTEGER NOT NULL,
		source         TEXT    NOT NULL,
		feedback_type  TEXT    NOT NULL,
		recipient      TEXT    NOT NULL,
		recipient_from TEXT    NOT NULL,
		sender         TEXT    NOT NULL,
		advertiser     TEXT    NOT NULL,
		message_id     TEXT    NOT NULL,
		ad             INTEGER NOT NULL,
		refused        INTEGER NOT NULL,
		evidence       BLOB    NOT NULL,
		truncated      INTEGER NOT NULL
	)`, `CREATE INDEX spam_reports_time ON spam_reports (received_at)`},
	Postgres: []string{`CREATE TABLE spam_reports (
		id             BIGSERIAL PRIMARY KEY,
		received_at    BIGINT  NOT NULL,
		source         TEXT    NOT NULL,
		feedback_type  TEXT    NOT NULL,
		recipient      TEXT    NOT NULL,
		recipient_from TEXT    NOT NULL,
		sender         TEXT    NOT NULL,
		advertiser     TEXT    NOT NULL,
		message_id     TEXT    NOT NULL,
		ad             BOOLEAN NOT NULL,
		refused        BOOLEAN NOT NULL,
		evidence       BYTEA   NOT NULL,
		truncated      BOOLEAN NOT NULL
	)`, `CREATE INDEX spam_reports_time ON spam_reports (received_at)`},
}}

// Open opens the store at target (sqldb.Open) and creates or upgrades its
// table. Errors: sqldb.Open's, a schema newer than this program's.
func Open(ctx context.Context, target string) (*Store, error) {
	db, err := sqldb.Open(ctx, target)
	if err != nil {
		return nil, fmt.Errorf("spamreport: %w", err)
	}
	if err := db.Migrate(ctx, component, append(steps, feedbackSteps...)); err != nil {
		db.Close()
		return nil, fmt.Errorf("spamreport: %s: %w", db.Name, err)
	}
	return &Store{db: db}, nil
}

// Close closes the connection pools.
func (s *Store) Close() error { return s.db.Close() }

// Add stores r (its ID is assigned) and returns the ID. Text fields must
// be UTF-8 without NUL (Intake makes them so). Errors: the store's.
func (s *Store) Add(ctx context.Context, r Record) (int64, error) {
	var id int64
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, s.db.Rebind(`INSERT INTO spam_reports (received_at, source, feedback_type,
			recipient, recipient_from, sender, advertiser, message_id, ad, refused, evidence, truncated)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			r.Time.UnixMilli(), r.Source, r.FeedbackType, r.Recipient, r.RecipientFrom, r.Sender, r.Advertiser,
			r.MessageID, r.Ad, r.Refused, nonNil(r.Evidence), r.Truncated).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("spamreport: add: %w", err)
	}
	return id, nil
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// List returns up to limit reports with since ≤ Time < until and ID
// greater than after, oldest first, without their evidence. Errors: the
// store's.
func (s *Store) List(ctx context.Context, since, until time.Time, after int64, limit int) ([]Record, error) {
	var out []Record
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.db.Rebind(`SELECT id, received_at, source, feedback_type, recipient,
			recipient_from, sender, advertiser, message_id, ad, refused, truncated FROM spam_reports
			WHERE received_at >= ? AND received_at < ? AND id > ? ORDER BY id LIMIT ?`),
			since.UnixMilli(), until.UnixMilli(), after, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r Record
			var at int64
			if err := rows.Scan(&r.ID, &at, &r.Source, &r.FeedbackType, &r.Recipient, &r.RecipientFrom, &r.Sender,
				&r.Advertiser, &r.MessageID, &r.Ad, &r.Refused, &r.Truncated); err != nil {
				return err
			}
			r.Time = time.UnixMilli(at).UTC()
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("spamreport: list: %w", err)
	}
	return out, nil
}

// Evidence returns the stored reported message of report id (nil, nil
// when there is no such report): the original the classifier can learn
// from. Errors: the store's.
func (s *Store) Evidence(ctx context.Context, id int64) ([]byte, error) {
	var ev []byte
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.db.Rebind(`SELECT evidence FROM spam_reports WHERE id = ?`), id).Scan(&ev)
		if err == sql.ErrNoRows {
			return nil
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("spamreport: evidence: %w", err)
	}
	return ev, nil
}

// Counts are the reports of a period by kind, for the Art. 10.7 report.
type Counts struct {
	Total int `json:"total"`
	// ByType counts by Feedback-Type.
	ByType map[string]int `json:"by_type"`
	// Ads counts reports about advertising email; Refusals those that
	// recorded a refusal; Unmapped those without a recipient.
	Ads, Refusals, Unmapped int
}

// Count counts the reports with since ≤ Time < until. Errors: the store's.
func (s *Store) Count(ctx context.Context, since, until time.Time) (Counts, error) {
	c := Counts{ByType: map[string]int{}}
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.db.Rebind(`SELECT feedback_type, ad, refused, recipient = '', count(*)
			FROM spam_reports WHERE received_at >= ? AND received_at < ? GROUP BY feedback_type, ad, refused, recipient = ''`),
			since.UnixMilli(), until.UnixMilli())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var typ string
			var ad, refused, unmapped bool
			var n int
			if err := rows.Scan(&typ, &ad, &refused, &unmapped, &n); err != nil {
				return err
			}
			c.Total += n
			c.ByType[typ] += n
			c.Ads += cond(ad, n)
			c.Refusals += cond(refused, n)
			c.Unmapped += cond(unmapped, n)
		}
		return rows.Err()
	})
	if err != nil {
		return c, fmt.Errorf("spamreport: count: %w", err)
	}
	return c, nil
}

func cond(b bool, n int) int {
	if b {
		return n
	}
	return 0
}
