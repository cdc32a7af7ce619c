package archive

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// dayMS is one UTC day in Unix milliseconds.
const dayMS = int64(24 * time.Hour / time.Millisecond)

// dailyCount is one upsert of archive_daily_counts.
type dailyCount struct {
	day                       int64
	direction, dimension, key string
	n                         int64
}

// dayOf returns the UTC midnight of a Unix ms time, in Unix ms.
func dayOf(ms int64) int64 {
	d := ms / dayMS
	if ms%dayMS < 0 {
		d--
	}
	return d * dayMS
}

// tally adds up the counts rows contribute, by the rules of Count: every
// row once under DimAction; once per distinct non-empty rule, article and
// advertiser; DimWould once for an observed row; DimBlockedIP (the client
// IP) only for a reject or tempfail of a blocked client
// (Record.BlockedClient); DimThrottled for a message a rate limit held
// (Record.Throttled).
// The result is sorted by its primary key, so that concurrent batches on
// PostgreSQL lock count rows in one order and cannot deadlock.
func tally(rows []row) []dailyCount {
	type key struct {
		day                       int64
		direction, dimension, key string
	}
	m := map[key]int64{}
	for _, r := range rows {
		k := key{day: dayOf(r.time), direction: r.direction}
		add := func(dim, v string) {
			k.dimension, k.key = dim, v
			m[k]++
		}
		add(DimAction, r.action)
		for _, v := range r.ruleKeys {
			add(DimRule, v)
		}
		for _, v := range r.articleKeys {
			add(DimArticle, v)
		}
		if r.advertiser != "" {
			add(DimAdvertiser, r.advertiser)
		}
		if r.would != "" {
			add(DimWould, r.would)
		}
		for _, v := range r.requestKeys {
			add(DimRequest, v)
		}
		if (r.action == "reject" || r.action == "tempfail") && r.blockedClient && r.clientIP != "" {
			add(DimBlockedIP, r.clientIP)
		}
		if r.throttled != "" {
			add(DimThrottled, r.throttled)
		}
	}
	out := make([]dailyCount, 0, len(m))
	for k, n := range m {
		out = append(out, dailyCount{day: k.day, direction: k.direction, dimension: k.dimension, key: k.key, n: n})
	}
	slices.SortFunc(out, func(a, b dailyCount) int {
		return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.direction, b.direction),
			cmp.Compare(a.dimension, b.dimension), cmp.Compare(a.key, b.key))
	})
	return out
}

// dimOrder is the report order of the dimensions; others sort after them.
var dimOrder = []string{DimAction, DimRule, DimArticle, DimAdvertiser, DimBlockedIP, DimThrottled, DimWould, DimRequest}

func compareDim(a, b string) int {
	ia, ib := slices.Index(dimOrder, a), slices.Index(dimOrder, b)
	if ia < 0 {
		ia = len(dimOrder)
	}
	if ib < 0 {
		ib = len(dimOrder)
	}
	return cmp.Or(cmp.Compare(ia, ib), cmp.Compare(a, b))
}

// Counts returns the daily counts whose Day (UTC midnight) lies in
// [since, until), ordered by Day, Direction, Dimension (in the report
// order of the Dim constants), N descending, Key (byte order, the same on
// both backends). Errors: a zero bound or until not after since; the
// database's.
func (s *Store) Counts(ctx context.Context, since, until time.Time) ([]Count, error) {
	if since.IsZero() || until.IsZero() || !until.After(since) {
		return nil, errors.New("archive: counts: want since < until, both set")
	}
	var out []Count
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.rebind(`SELECT day, direction, dimension, key, n
			FROM archive_daily_counts WHERE day >= ? AND day < ?`), since.UnixMilli(), until.UnixMilli())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c Count
			var day int64
			if err := rows.Scan(&day, &c.Direction, &c.Dimension, &c.Key, &c.N); err != nil {
				return err
			}
			c.Day = time.UnixMilli(day).UTC()
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("archive: counts: %w", err)
	}
	slices.SortFunc(out, func(a, b Count) int {
		return cmp.Or(a.Day.Compare(b.Day), cmp.Compare(a.Direction, b.Direction),
			compareDim(a.Dimension, b.Dimension), cmp.Compare(b.N, a.N), cmp.Compare(a.Key, b.Key))
	})
	return out, nil
}
