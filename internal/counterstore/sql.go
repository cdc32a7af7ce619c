package counterstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"milter91/internal/counter"
	"milter91/internal/sqldb"
)

// SQL is a Store in a SQLite file or a PostgreSQL database (internal/sqldb),
// one table per Options.Name: counter_NAME (k, v, expires), keyed by the
// counter's bytes, with the expiry in Unix milliseconds of the store's
// clock and an index on it for pruning and the cap.
//
// SQLite: an Add reads the rows and writes the new values in one BEGIN
// IMMEDIATE transaction, which excludes every other writer of the file
// (in this process or another). PostgreSQL: an Add is one INSERT … ON
// CONFLICT DO UPDATE … RETURNING over the call's keys in byte order (so
// that two Adds lock shared rows in the same order and cannot deadlock
// each other); at READ COMMITTED it always applies, at REPEATABLE READ
// and SERIALIZABLE a concurrent update of the same row fails it with a
// serialization failure, and it is retried (as is a deadlock with
// Maintain) until it applies or ctx ends.
type SQL struct {
	db      *sqldb.DB
	table   string
	now     func() time.Time
	maxRows int64
}

var _ counter.Backend = (*SQL)(nil)

// sqliteChunk is how many keys one SQLite statement carries: 3 bound
// values a row, far below SQLite's 32 766.
const sqliteChunk = 500

// pruneChunk is how many rows one Maintain transaction deletes.
const pruneChunk = 1000

// openSQL opens target with sqldb and migrates the table of opt.Name.
func openSQL(ctx context.Context, target string, opt Options) (*SQL, error) {
	db, err := sqldb.Open(ctx, target)
	if err != nil {
		return nil, err
	}
	s := &SQL{db: db, table: "counter_" + opt.Name, now: opt.Now, maxRows: opt.MaxRows}
	if err := db.Migrate(ctx, s.table, s.steps()); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", db.Name, err)
	}
	return s, nil
}

// steps are the table's schema versions (sqldb.Migrate, component
// counter_NAME). Keys are bytes (any bytes, Inc.Key), not text.
func (s *SQL) steps() []sqldb.Step {
	t := s.table
	return []sqldb.Step{{
		SQLite: []string{
			`CREATE TABLE ` + t + ` (k BLOB PRIMARY KEY, v INTEGER NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID`,
			`CREATE INDEX ` + t + `_expires ON ` + t + ` (expires)`,
		},
		Postgres: []string{
			`CREATE TABLE ` + t + ` (k BYTEA PRIMARY KEY, v BIGINT NOT NULL, expires BIGINT NOT NULL)`,
			`CREATE INDEX ` + t + `_expires ON ` + t + ` (expires)`,
		},
	}}
}

// Add implements Store.
func (s *SQL) Add(ctx context.Context, incs []counter.Inc) ([]int64, error) {
	if err := counter.Check(incs); err != nil {
		return nil, err
	}
	if len(incs) == 0 {
		return []int64{}, ctx.Err()
	}
	now := s.now()
	if s.db.Dialect == sqldb.Postgres {
		return s.addPostgres(ctx, incs, now)
	}
	return s.addSQLite(ctx, incs, now)
}

// addSQLite replays incs on the live rows inside the write transaction:
// the values are exact and checked step by step, as in Mem.
func (s *SQL) addSQLite(ctx context.Context, incs []counter.Inc, now time.Time) ([]int64, error) {
	nowMS := now.UnixMilli()
	keys := uniqueKeys(incs)
	out := make([]int64, len(incs))
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		cur, err := s.liveRows(ctx, tx, keys, nowMS)
		if err != nil {
			return err
		}
		for i, in := range incs {
			r := cur[in.Key]
			if r.value, err = counter.Plus(r.value, in.Delta, i); err != nil {
				return err
			}
			r.expires = max(r.expires, counter.ExpiryMS(now, in.TTL))
			cur[in.Key] = r
			out[i] = r.value
		}
		return s.writeRows(ctx, tx, keys, cur)
	})
	if err != nil {
		return nil, s.wrap(err)
	}
	return out, nil
}

type row struct{ value, expires int64 }

// liveRows returns the unexpired rows of keys (SQLite).
func (s *SQL) liveRows(ctx context.Context, tx *sql.Tx, keys []string, nowMS int64) (map[string]row, error) {
	cur := make(map[string]row, len(keys))
	for start := 0; start < len(keys); start += sqliteChunk {
		part := keys[start:min(len(keys), start+sqliteChunk)]
		args := make([]any, 0, len(part)+1)
		args = append(args, nowMS)
		for _, k := range part {
			args = append(args, []byte(k))
		}
		rows, err := tx.QueryContext(ctx, `SELECT k, v, expires FROM `+s.table+` WHERE expires > ? AND k IN (`+marks(len(part))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k []byte
			var r row
			if err := rows.Scan(&k, &r.value, &r.expires); err != nil {
				rows.Close()
				return nil, err
			}
			cur[string(k)] = r
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return cur, nil
}

// writeRows stores the rows of keys (SQLite).
func (s *SQL) writeRows(ctx context.Context, tx *sql.Tx, keys []string, rows map[string]row) error {
	for start := 0; start < len(keys); start += sqliteChunk {
		part := keys[start:min(len(keys), start+sqliteChunk)]
		args := make([]any, 0, 3*len(part))
		for _, k := range part {
			args = append(args, []byte(k), rows[k].value, rows[k].expires)
		}
		values := strings.Repeat(",(?,?,?)", len(part))[1:]
		q := `INSERT INTO ` + s.table + ` (k, v, expires) VALUES ` + values +
			` ON CONFLICT (k) DO UPDATE SET v = excluded.v, expires = excluded.expires`
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// Get implements Store.
func (s *SQL) Get(ctx context.Context, keys []string) ([]int64, error) {
	out := make([]int64, len(keys))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	want := queryable(keys)
	if len(want) == 0 {
		return out, nil
	}
	nowMS := s.now().UnixMilli()
	found := make(map[string]int64, len(want))
	chunk := sqliteChunk
	if s.db.Dialect == sqldb.Postgres {
		chunk = len(want) // one array parameter carries them all
	}
	for start := 0; start < len(want); start += chunk {
		if err := s.getPart(ctx, want[start:min(len(want), start+chunk)], nowMS, found); err != nil {
			return nil, s.wrap(err)
		}
	}
	for i, k := range keys {
		out[i] = found[k]
	}
	return out, nil
}

func (s *SQL) getPart(ctx context.Context, keys []string, nowMS int64, found map[string]int64) error {
	var rows *sql.Rows
	var err error
	if s.db.Dialect == sqldb.Postgres {
		rows, err = s.db.R.QueryContext(ctx, `SELECT k, v FROM `+s.table+` WHERE k = ANY($1::bytea[]) AND expires > $2`, byteSlices(keys), nowMS)
	} else {
		args := make([]any, 0, len(keys)+1)
		args = append(args, nowMS)
		for _, k := range keys {
			args = append(args, []byte(k))
		}
		rows, err = s.db.R.QueryContext(ctx, `SELECT k, v FROM `+s.table+` WHERE expires > ? AND k IN (`+marks(len(keys))+`)`, args...)
	}
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k []byte
		var v int64
		if err := rows.Scan(&k, &v); err != nil {
			return err
		}
		found[string(k)] = v
	}
	return rows.Err()
}

// Ping implements Backend: the server answers (PostgreSQL), the file is
// still the one opened (SQLite).
func (s *SQL) Ping(ctx context.Context) error {
	if err := s.db.W.PingContext(ctx); err != nil {
		return s.wrap(err)
	}
	return s.db.CheckFile()
}

// Name implements Backend.
func (s *SQL) Name() string { return s.db.Name }

// Close implements Store.
func (s *SQL) Close() error { return s.db.Close() }

// wrap names the store in err, unless err is one of this package's or a
// context's.
func (s *SQL) wrap(err error) error {
	if err == nil || errors.Is(err, counter.ErrOverflow) || errors.Is(err, counter.ErrInvalid) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("counter store %s: %w", s.db.Name, err)
}

// uniqueKeys returns the distinct keys of incs, in byte order.
func uniqueKeys(incs []counter.Inc) []string {
	seen := make(map[string]bool, len(incs))
	var keys []string
	for _, in := range incs {
		if !seen[in.Key] {
			seen[in.Key] = true
			keys = append(keys, in.Key)
		}
	}
	slices.Sort(keys)
	return keys
}

// queryable returns the distinct keys a counter can have (others read 0).
func queryable(keys []string) []string {
	seen := make(map[string]bool, len(keys))
	var out []string
	for _, k := range keys {
		if k != "" && len(k) <= counter.MaxKeyBytes && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// marks returns n comma-separated placeholders.
func marks(n int) string { return strings.Repeat(",?", n)[1:] }

func byteSlices(keys []string) [][]byte {
	out := make([][]byte, len(keys))
	for i, k := range keys {
		out[i] = []byte(k)
	}
	return out
}
