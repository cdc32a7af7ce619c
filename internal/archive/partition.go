package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// PostgreSQL archives keep archive_headers and archive_recipients in one
// partition per UTC day (schema version 2), named archive_headers_pYYYYMMDD
// and archive_recipients_pYYYYMMDD, plus the DEFAULT partitions for any
// row no day partition takes. Insert creates the partitions of the days
// of its batch when missing (once per day and process); Prune drops the
// partitions of whole days before its bound.

// partitionTables are the partitioned tables, recipients last: a day is
// dropped from both.
var partitionTables = []string{"archive_headers", "archive_recipients"}

// partitionDays remembers the days (Unix ms of UTC midnight) whose
// partitions exist or cannot be made, so that Insert asks once per day.
type partitionDays struct {
	mu   sync.Mutex
	done map[int64]bool
}

// partitionName is table's partition of day (Unix ms of UTC midnight).
func partitionName(table string, day int64) string {
	return table + "_p" + time.UnixMilli(day).UTC().Format("20060102")
}

// ensurePartitions creates the missing day partitions of rows' days on
// a partitioned archive (PostgreSQL); nothing on SQLite. A day whose rows already sit in the
// DEFAULT partition (PostgreSQL refuses the new partition then) stays
// there: its rows go on to the default, which Prune deletes from.
func (s *Store) ensurePartitions(ctx context.Context, rows []row) error {
	if !s.partitioned {
		return nil
	}
	var days []int64
	s.parts.mu.Lock()
	for _, r := range rows {
		if d := dayOf(r.time); !s.parts.done[d] && !slices.Contains(days, d) {
			days = append(days, d)
		}
	}
	s.parts.mu.Unlock()
	for _, d := range days {
		if err := s.createDay(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

// createDay creates both tables' partitions of day under an advisory
// lock (hosts sharing the database create each once).
func (s *Store) createDay(ctx context.Context, day int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		db, err := s.cur()
		if err != nil {
			return err
		}
		if err := db.LockKey(ctx, tx, "archive_partitions"); err != nil {
			return err
		}
		for _, t := range partitionTables {
			q := fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s PARTITION OF %s FOR VALUES FROM (%d) TO (%d)`,
				partitionName(t, day), t, day, day+dayMS)
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	var pgErr *pgconn.PgError
	if err != nil && !(errors.As(err, &pgErr) && pgErr.Code == "23514") { // check_violation: rows in DEFAULT
		return fmt.Errorf("archive: partition of %s: %w", time.UnixMilli(day).UTC().Format(time.DateOnly), err)
	}
	s.parts.mu.Lock()
	if s.parts.done == nil {
		s.parts.done = map[int64]bool{}
	}
	s.parts.done[day] = true
	s.parts.mu.Unlock()
	return nil
}

// dropDays drops the day partitions of both tables whose whole day is
// before limit (Unix ms) and returns the header rows they held.
func (s *Store) dropDays(ctx context.Context, limit int64) (int64, error) {
	days, err := s.partitionDaysBefore(ctx, limit)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, d := range days {
		err := s.write(ctx, func(tx *sql.Tx) error {
			var n int64
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+partitionName("archive_headers", d)).Scan(&n); err != nil {
				return err
			}
			for _, t := range slices.Backward(partitionTables) {
				if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+partitionName(t, d)); err != nil {
					return err
				}
			}
			total += n
			return nil
		})
		if err != nil {
			return total, err
		}
		s.parts.mu.Lock()
		delete(s.parts.done, d)
		s.parts.mu.Unlock()
	}
	return total, nil
}

// partitionDaysBefore lists the days of archive_headers' day partitions
// that end at or before limit, oldest first.
func (s *Store) partitionDaysBefore(ctx context.Context, limit int64) ([]int64, error) {
	var days []int64
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT c.relname FROM pg_inherits i
			JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
			WHERE p.relname = 'archive_headers' AND p.relnamespace = current_schema()::regnamespace`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				return err
			}
			d, err := time.Parse("20060102", strings.TrimPrefix(name, "archive_headers_p"))
			if err != nil || !strings.HasPrefix(name, "archive_headers_p") {
				continue // the DEFAULT partition
			}
			if day := d.UnixMilli(); day+dayMS <= limit {
				days = append(days, day)
			}
		}
		return rows.Err()
	})
	slices.Sort(days)
	return days, err
}
