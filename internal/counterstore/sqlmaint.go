package counterstore

import (
	"context"
	"database/sql"
	"errors"

	"milter91/internal/counter"
	"milter91/internal/sqldb"
)

// Maintain implements Backend. Expired rows go first, pruneChunk per
// transaction. Then, with a cap, the expiry at which the live rows over
// it end is looked up once (the cap-th from the latest expiry), and the rows
// expiring no later are deleted in chunks: nodes running Maintain at once
// compute the same threshold, so together they evict no more than one
// would. A row refreshed meanwhile is re-checked by the delete and kept.
// Counting the live rows is a scan of the expiry index, once per call.
func (s *SQL) Maintain(ctx context.Context) (counter.Upkeep, error) {
	var up counter.Upkeep
	var err error
	nowMS := s.now().UnixMilli()
	if up.Expired, err = s.deleteUpTo(ctx, nowMS); err != nil {
		return up, s.wrap(err)
	}
	threshold, over, err := s.overCap(ctx, nowMS, &up.Rows)
	if err != nil || !over {
		return up, s.wrap(err)
	}
	up.Evicted, err = s.deleteUpTo(ctx, threshold)
	up.Rows -= up.Evicted
	return up, s.wrap(err)
}

// deleteUpTo deletes the rows expiring at or before the Unix millisecond
// last, pruneChunk rows per statement (PostgreSQL skips rows another
// node's Maintain holds), and returns how many it deleted.
func (s *SQL) deleteUpTo(ctx context.Context, last int64) (int64, error) {
	lock := ""
	if s.db.Dialect == sqldb.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	// The outer expiry test is checked again on a row an Add changed
	// meanwhile (PostgreSQL re-evaluates it on the new version).
	q := s.db.Rebind(`DELETE FROM ` + s.table + ` WHERE expires <= ? AND k IN (SELECT k FROM ` + s.table +
		` WHERE expires <= ? ORDER BY expires LIMIT ?` + lock + `)`)
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		var n int64
		err := s.db.Write(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, q, last, last, pruneChunk)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < pruneChunk {
			return total, nil
		}
	}
}

// overCap counts the live rows into *rows and, when they are more than
// the cap, returns the expiry up to which rows must go; both from one
// snapshot, so that what another node has already evicted (the
// soonest-expiring rows) leads to the same threshold.
func (s *SQL) overCap(ctx context.Context, nowMS int64, rows *int64) (threshold int64, over bool, err error) {
	err = s.db.Read(ctx, func(tx *sql.Tx) error {
		q := s.db.Rebind(`SELECT count(*) FROM ` + s.table + ` WHERE expires > ?`)
		if err := tx.QueryRowContext(ctx, q, nowMS).Scan(rows); err != nil {
			return err
		}
		if s.maxRows == 0 || *rows <= s.maxRows {
			return nil
		}
		q = s.db.Rebind(`SELECT expires FROM ` + s.table + ` WHERE expires > ? ORDER BY expires LIMIT 1 OFFSET ?`)
		err := tx.QueryRowContext(ctx, q, nowMS, *rows-s.maxRows-1).Scan(&threshold)
		over = err == nil
		if errors.Is(err, sql.ErrNoRows) {
			return nil // evicted meanwhile by another node
		}
		return err
	})
	return threshold, over, err
}
