package archive

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestSearchPlan checks on SQLite that each filter is served by its index
// (a full scan would pass every other test and be slow at 180 days).
func TestSearchPlan(t *testing.T) {
	s := stores(t)["sqlite"]
	base := Query{Since: t0, Until: t0.Add(time.Hour)}
	with := func(f func(q *Query)) Query { q := base; f(&q); return q }
	for _, c := range []struct {
		q    Query
		want string
	}{
		{q: base, want: "archive_headers_time"},
		{q: with(func(q *Query) { q.MessageID = "a@example.com" }), want: "archive_headers_message_id (message_id=? AND time>? AND time<?)"},
		{q: with(func(q *Query) { q.From = "a@example.com" }), want: "archive_headers_from (from_addr=? AND time>? AND time<?)"},
		{q: with(func(q *Query) { q.ClientIP = "127.0.0.1" }), want: "archive_headers_client_ip (client_ip=? AND time>? AND time<?)"},
		{q: with(func(q *Query) { q.Rcpt = "a@example.com" }), want: "archive_recipients_rcpt (rcpt=? AND time>? AND time<?)"},
	} {
		query, args, err := s.searchSQL(c.q)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := s.db.Load().R.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notUsed int
			var detail string
			if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if got := strings.Join(plan, "; "); !strings.Contains(got, c.want) {
			t.Errorf("plan for %+v: %s; want %s", c.q, got, c.want)
		}
	}
}
