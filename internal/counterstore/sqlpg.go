package counterstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"milter91/internal/counter"
)

// pgAttempts bounds the tries of one PostgreSQL Add that keeps meeting
// serialization failures or deadlocks.
const pgAttempts = 100

// addPostgres applies incs in one upsert statement, merged per key (one
// statement may change a row once), retried on a serialization failure or
// deadlock. The returned values are the final value of each key less the
// deltas of its later incs in the call. The overflow check is PostgreSQL's
// on each key's final value.
func (s *SQL) addPostgres(ctx context.Context, incs []counter.Inc, now time.Time) ([]int64, error) {
	keys := uniqueKeys(incs)
	pos := make(map[string]int, len(keys))
	for i, k := range keys {
		pos[k] = i
	}
	deltas := make([]int64, len(keys))
	exps := make([]int64, len(keys))
	for i, in := range incs {
		j := pos[in.Key]
		var err error
		if deltas[j], err = counter.Plus(deltas[j], in.Delta, i); err != nil {
			return nil, err
		}
		exps[j] = max(exps[j], counter.ExpiryMS(now, in.TTL))
	}
	var final map[string]int64
	var err error
	for attempt := 1; ; attempt++ {
		final, err = s.upsert(ctx, keys, deltas, exps, now.UnixMilli())
		if err == nil || !retryable(err) || attempt == pgAttempts {
			break
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
	}
	if err != nil {
		return nil, s.wrap(pgError(err))
	}
	out := make([]int64, len(incs))
	later := make(map[string]int64, len(keys))
	for i := len(incs) - 1; i >= 0; i-- {
		k := incs[i].Key
		out[i] = final[k] - later[k]
		later[k] += incs[i].Delta
	}
	return out, nil
}

// upsert runs the statement and returns each key's new value. A row that
// expired restarts from the delta with the new expiry; a live one adds
// the delta and keeps the later expiry.
func (s *SQL) upsert(ctx context.Context, keys []string, deltas, exps []int64, nowMS int64) (map[string]int64, error) {
	q := `INSERT INTO ` + s.table + ` AS c (k, v, expires)
		SELECT k, v, e FROM unnest($1::bytea[], $2::bigint[], $3::bigint[]) WITH ORDINALITY AS t(k, v, e, n) ORDER BY n
		ON CONFLICT (k) DO UPDATE SET
			v = CASE WHEN c.expires <= $4 THEN excluded.v ELSE c.v + excluded.v END,
			expires = CASE WHEN c.expires <= $4 THEN excluded.expires ELSE GREATEST(c.expires, excluded.expires) END
		RETURNING k, v`
	rows, err := s.db.W.QueryContext(ctx, q, byteSlices(keys), deltas, exps, nowMS)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	final := make(map[string]int64, len(keys))
	for rows.Next() {
		var k []byte
		var v int64
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		final[string(k)] = v
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(final) != len(keys) {
		return nil, fmt.Errorf("upsert returned %d of %d counters", len(final), len(keys))
	}
	return final, nil
}

// retryable reports a serialization failure (40001) or a deadlock
// (40P01): the statement was rolled back and may run again.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// pgError turns numeric_value_out_of_range (22003: bigint overflow) into
// ErrOverflow.
func pgError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "22003" {
		return fmt.Errorf("%w: %v", counter.ErrOverflow, pe.Message)
	}
	return err
}

// backoff waits a random time up to 1 ms × 2^attempt (at most 64 ms), so
// that transactions that failed together do not collide again.
func backoff(ctx context.Context, attempt int) error {
	d := time.Duration(rand.Int64N(int64(time.Millisecond) << min(attempt, 6)))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
