package spamreport

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"milter91/internal/sqldb"
)

// Feedback-ID (the header large mailbox providers' feedback loops key
// their reports by) of the outbound ads this server stamps:
// "<token>:<advertiser>:d91:milter91", token 16 random hex digits that
// the feedback_ids table maps back to the one recipient, so that a report
// whose recipient the provider redacted still names who complained.
const feedbackSuffix = ":d91:milter91"

var feedbackSteps = []sqldb.Step{{
	SQLite: []string{`CREATE TABLE feedback_ids (
		token      TEXT    NOT NULL PRIMARY KEY,
		recipient  TEXT    NOT NULL,
		advertiser TEXT    NOT NULL,
		created_at INTEGER NOT NULL
	) WITHOUT ROWID`},
	Postgres: []string{`CREATE TABLE feedback_ids (
		token      TEXT   NOT NULL PRIMARY KEY,
		recipient  TEXT   NOT NULL,
		advertiser TEXT   NOT NULL,
		created_at BIGINT NOT NULL
	)`},
}}

// NewFeedbackID records a new Feedback-ID for one outbound ad to
// recipient from advertiser and returns the header value. Errors: the
// store's (the ad then goes without one).
func (s *Store) NewFeedbackID(ctx context.Context, recipient, advertiser string, now time.Time) (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	token := hex.EncodeToString(b[:])
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO feedback_ids (token, recipient, advertiser, created_at) VALUES (?, ?, ?, ?)`),
			token, text(strings.ToLower(recipient)), text(advertiser), now.UnixMilli())
		return err
	})
	if err != nil {
		return "", fmt.Errorf("spamreport: feedback-id: %w", err)
	}
	return token + ":" + advertiser + feedbackSuffix, nil
}

// Recipients maps a Feedback-ID this server stamped back to its
// recipient (FeedbackIDs); nil for any other value. Errors: the store's.
func (s *Store) Recipients(ctx context.Context, feedbackID string) ([]string, error) {
	token, _, ok := strings.Cut(strings.TrimSpace(feedbackID), ":")
	if !ok || !strings.HasSuffix(feedbackID, feedbackSuffix) || len(token) != 16 {
		return nil, nil
	}
	var rcpt string
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, s.db.Rebind(`SELECT recipient FROM feedback_ids WHERE token = ?`), token).Scan(&rcpt)
	})
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("spamreport: feedback-id: %w", err)
	}
	return []string{rcpt}, nil
}
