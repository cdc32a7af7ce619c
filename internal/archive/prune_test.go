package archive

import (
	"context"
	"slices"
	"testing"
	"time"

	"milter91/internal/sqldb"
)

func TestPrune(t *testing.T) {
	before := t0 // 09:00 on day 2026-03-01
	old := []Record{}
	// 11 old rows on two older days, 4 of them in the same millisecond
	// (more than a chunk of 3), and one earlier on before's own day.
	for i := range 7 {
		old = append(old, Record{Time: before.Add(-48*time.Hour + time.Duration(i)*time.Minute), QueueID: "old",
			Rcpts: []string{"a@example.net", "b@example.net"}, Action: "accept"})
	}
	for range 4 {
		old = append(old, Record{Time: before.Add(-24 * time.Hour), QueueID: "old", Rcpts: []string{"a@example.net"}, Action: "accept"})
	}
	old = append(old, Record{Time: before.Add(-time.Millisecond), QueueID: "old-today", Rcpts: []string{"a@example.net"}, Action: "accept"})
	keep := []Record{
		{Time: before, QueueID: "new1", Rcpts: []string{"a@example.net"}, Action: "accept"},
		{Time: before.Add(time.Hour), QueueID: "new2", Rcpts: []string{"b@example.net"}, Action: "reject"},
	}
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		s.chunk = 3
		mustInsert(t, s, old...)
		mustInsert(t, s, keep...)
		// PostgreSQL drops whole days only: before's own day stays whole.
		wantN, wantIDs, wantRcpts := int64(len(old)), []string{"new2", "new1"}, 2
		if s.dialect == sqldb.Postgres {
			wantN, wantIDs, wantRcpts = int64(len(old)-1), []string{"new2", "new1", "old-today"}, 3
		}
		n, err := s.Prune(ctx, before)
		if err != nil || n != wantN {
			t.Fatalf("Prune = %d, %v; want %d", n, err, wantN)
		}
		all := Query{Since: before.Add(-72 * time.Hour), Until: before.Add(72 * time.Hour)}
		if got := queueIDs(mustSearch(t, s, all)); !slices.Equal(got, wantIDs) {
			t.Errorf("after prune: %v, want %v", got, wantIDs)
		}
		if n := tableRows(t, s, "archive_recipients"); n != wantRcpts {
			t.Errorf("%d recipient rows left, want the %d of the kept records", n, wantRcpts)
		}
		// Days ending at or before `before` go; before's own day keeps
		// its counts whole, pruned old-today included.
		counts, err := s.Counts(ctx, before.Add(-72*time.Hour), before.Add(72*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		want := []Count{
			{Day: before.Truncate(24 * time.Hour), Dimension: DimAction, Key: "accept", N: 2},
			{Day: before.Truncate(24 * time.Hour), Dimension: DimAction, Key: "reject", N: 1},
		}
		if len(counts) != len(want) || counts[0] != want[0] || counts[1] != want[1] {
			t.Errorf("counts after prune: %v, want %v", counts, want)
		}
		if n, err := s.Prune(ctx, before); err != nil || n != 0 {
			t.Errorf("second Prune = %d, %v; want 0", n, err)
		}
		if _, err := s.Prune(ctx, time.Time{}); err == nil {
			t.Error("Prune(zero time) succeeded")
		}
	})
}
