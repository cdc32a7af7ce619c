package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// MinRetention is the shortest time headers must be kept: 180 days
// (Decree 91/2020 Art. 10.6).
const MinRetention = 180 * 24 * time.Hour

// Prune deletes the header rows (with their recipients) whose time is
// before `before`, in transactions of about 5000 rows so that writers
// never wait long, and the daily counts of the days that ended at or
// before `before`. On PostgreSQL it drops the day partitions of the whole
// days before `before` instead and deletes rows only from the DEFAULT
// partitions, up to the start of before's day: a day is kept until it has
// wholly passed the bound (up to one day longer than retention). It
// returns the number of header rows deleted, also when it stops early on
// an error (ctx cancelled, the database's). It does not check before
// against MinRetention: the Writer does.
func (s *Store) Prune(ctx context.Context, before time.Time) (int64, error) {
	if before.IsZero() {
		return 0, errors.New("archive: prune: zero time")
	}
	limit := before.UnixMilli()
	var total int64
	if s.partitioned {
		limit = dayOf(limit)
		n, err := s.dropDays(ctx, limit)
		total += n
		if err != nil {
			return total, fmt.Errorf("archive: prune: %w", err)
		}
	}
	for {
		n, more, err := s.pruneChunk(ctx, limit)
		total += n
		if err != nil {
			return total, fmt.Errorf("archive: prune: %w", err)
		}
		if !more {
			break
		}
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM archive_daily_counts WHERE day <= ?`), limit-dayMS)
		return err
	})
	if err != nil {
		return total, fmt.Errorf("archive: prune counts: %w", err)
	}
	return total, nil
}

// pruneChunk deletes the oldest s.chunk header rows before limit (Unix
// ms) and their recipients in one transaction. The chunk ends at a time
// bound, not at a list of ids: recipients carry their header's time, so
// one bound deletes matching rows in both tables. more reports whether
// rows before limit may remain.
func (s *Store) pruneChunk(ctx context.Context, limit int64) (n int64, more bool, err error) {
	err = s.write(ctx, func(tx *sql.Tx) error {
		cut := limit
		var last int64
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT time FROM archive_headers
			WHERE time < ? ORDER BY time LIMIT 1 OFFSET ?`), limit, s.chunk-1).Scan(&last)
		switch {
		case err == nil:
			// Rows sharing the last time go in this chunk too.
			cut, more = last+1, last+1 < limit
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM archive_recipients WHERE time < ?`), cut); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM archive_headers WHERE time < ?`), cut)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, false, err
	}
	return n, more, nil
}
