package archive

import (
	"context"
	"slices"
	"testing"
	"time"

	"milter91/internal/pgtest"
	"milter91/internal/sqldb"
)

// pgTables lists the archive's partitions of table on db, by name.
func pgPartitions(t *testing.T, db *sqldb.DB, table string) []string {
	t.Helper()
	rows, err := db.R.Query(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = $1 ORDER BY 1`, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

// On PostgreSQL each day of records gets its own partition of both
// tables, and retention drops whole days: no DELETE over their rows.
func TestPartitionsByDay(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	day1 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		mustInsert(t, s, Record{Time: day1.Add(time.Duration(i)*24*time.Hour + 5*time.Hour), QueueID: "d" + string(rune('1'+i)),
			Rcpts: []string{"a@example.net"}, Action: "accept"})
	}
	db, _ := s.cur()
	want := []string{"archive_headers_default", "archive_headers_p20260301", "archive_headers_p20260302", "archive_headers_p20260303"}
	if got := pgPartitions(t, db, "archive_headers"); !slices.Equal(got, want) {
		t.Fatalf("partitions %v, want %v", got, want)
	}
	if n := tableRows(t, s, "archive_headers_default"); n != 0 {
		t.Errorf("%d rows in the default partition, want 0", n)
	}
	// Retention to 12:00 on day 3: days 1 and 2 go whole, day 3 stays.
	n, err := s.Prune(ctx, day1.Add(48*time.Hour+12*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("Prune = %d, %v; want 2", n, err)
	}
	if got := pgPartitions(t, db, "archive_recipients"); !slices.Equal(got, []string{"archive_recipients_default", "archive_recipients_p20260303"}) {
		t.Errorf("recipient partitions after prune: %v", got)
	}
	got := queueIDs(mustSearch(t, s, Query{Since: day1, Until: day1.Add(96 * time.Hour)}))
	if !slices.Equal(got, []string{"d3"}) {
		t.Errorf("after prune: %v, want [d3]", got)
	}
	// A dropped day's partition comes back when a late record needs it.
	mustInsert(t, s, Record{Time: day1.Add(time.Hour), QueueID: "late", Action: "accept"})
	if got := queueIDs(mustSearch(t, s, Query{Since: day1, Until: day1.Add(24 * time.Hour)})); !slices.Equal(got, []string{"late"}) {
		t.Errorf("late record: %v", got)
	}
}

// A version 1 archive with rows is partitioned in place: its rows stay
// searchable in the DEFAULT partition and leave it by Prune's DELETE.
func TestPartitionMigratesVersion1(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx, "archive", steps[:1]); err != nil {
		t.Fatal(err)
	}
	v1 := newStore(db, dsn)
	old := time.Date(2026, 3, 1, 5, 0, 0, 0, time.UTC)
	mustInsert(t, v1, Record{Time: old, QueueID: "v1-old", Rcpts: []string{"a@example.net"}, Action: "accept"},
		Record{Time: old.Add(48 * time.Hour), QueueID: "v1-new", Rcpts: []string{"a@example.net"}, Action: "accept"})
	db.Close()
	s, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustInsert(t, s, Record{Time: old.Add(50 * time.Hour), QueueID: "v2", Rcpts: []string{"a@example.net"}, Action: "accept"})
	all := Query{Since: old.Add(-time.Hour), Until: old.Add(72 * time.Hour)}
	if got := queueIDs(mustSearch(t, s, all)); !slices.Equal(got, []string{"v2", "v1-new", "v1-old"}) {
		t.Fatalf("after migration: %v", got)
	}
	if got := queueIDs(mustSearch(t, s, Query{Since: all.Since, Until: all.Until, Rcpt: "a@example.net"})); len(got) != 3 {
		t.Errorf("by recipient: %v", got)
	}
	if n, err := s.Prune(ctx, old.Add(24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v; want the one old row from the default partition", n, err)
	}
	// v2's day holds v1-new in the default partition, so PostgreSQL
	// refuses that day's partition and v2 goes to the default too.
	if n := tableRows(t, s, "archive_recipients_default"); n != 2 {
		t.Errorf("%d recipient rows in the default partition, want v1-new's and v2's", n)
	}
}
