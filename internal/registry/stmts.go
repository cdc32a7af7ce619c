package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"milter91/internal/sqldb"
)

// hotStmts are the statements of the per-message path (Recipient,
// ReserveSend), prepared once per connection instead of on every call:
// SQLite's parser cost about a sixth of a check plus reservation
// (BenchmarkCheck). On PostgreSQL the writer and the read pool are one
// pool; database/sql prepares each statement again on every connection
// it runs on, a new one after a reconnect included.
type hotStmts struct {
	consent    *sql.Stmt // read pool: the consent of (advertiser, recipient)
	refusals   *sql.Stmt // read pool: the refusals of (advertiser, recipient)
	countSends *sql.Stmt // writer: sends of (advertiser, recipient), any direction, since a time
	insertSend *sql.Stmt // writer: one send (insertSendSQL)
}

// prepareHot prepares the hot statements on db's writer and read pool, in
// db's dialect. Errors: a statement the database refuses (a schema
// mismatch), an unreachable server.
func prepareHot(ctx context.Context, db *sqldb.DB) (*hotStmts, error) {
	w, r := db.W, db.R
	h := &hotStmts{}
	for _, p := range []struct {
		db    *sql.DB
		dst   **sql.Stmt
		query string
	}{
		{db: r, dst: &h.consent, query: `SELECT consented_at, max_per_day, revoked_at, last_used_at
			FROM consents WHERE advertiser = ? AND recipient = ?`},
		{db: r, dst: &h.refusals, query: `SELECT scope, refused_at, last_used_at
			FROM refusals WHERE advertiser = ? AND recipient = ?`},
		{db: w, dst: &h.countSends, query: `SELECT count(*) FROM sends
			WHERE advertiser = ? AND recipient = ? AND sent_at > ?`},
		{db: w, dst: &h.insertSend, query: insertSendSQL(db.Dialect)},
	} {
		st, err := p.db.PrepareContext(ctx, portable(db, p.query))
		if err != nil {
			h.close()
			return nil, fmt.Errorf("prepare: %w", err)
		}
		*p.dst = st
	}
	return h, nil
}

// close closes the prepared statements.
func (h *hotStmts) close() error {
	var errs []error
	for _, st := range []*sql.Stmt{h.consent, h.refusals, h.countSends, h.insertSend} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}

// insertSendSQL records one send. PostgreSQL returns the new id (pgx has
// no LastInsertId); SQLite leaves it to LastInsertId, which costs about 20
// allocations less per send than reading a RETURNING row.
func insertSendSQL(d sqldb.Dialect) string {
	const insert = `INSERT INTO sends (advertiser, recipient, direction, sent_at) VALUES (?, ?, ?, ?)`
	if d == sqldb.Postgres {
		return insert + ` RETURNING id`
	}
	return insert
}
