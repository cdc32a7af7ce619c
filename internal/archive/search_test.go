package archive

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
)

// searchFixture is inserted in two batches; D lies exactly at t0+1h.
func searchFixture() [][]Record {
	return [][]Record{{
		{Time: t0, QueueID: "A", From: "Alice <Alice@Example.COM>", MessageID: "<a1@example.com>",
			Rcpts: []string{"Bob@Example.NET", "<carol@example.net>", "bob@example.net"}, ClientIP: "127.0.0.1", Action: "accept"},
		{Time: t0.Add(time.Minute), QueueID: "B", From: "dave@example.org", MessageID: "b2@example.org",
			Rcpts: []string{"carol@example.net"}, ClientIP: "::1", Action: "reject"},
	}, {
		{Time: t0.Add(2 * time.Minute), QueueID: "C", From: "alice@example.com", MessageID: "<c3@example.com>",
			Rcpts: []string{"erin@example.net"}, ClientIP: "::ffff:127.0.0.2", Action: "tag"},
		{Time: t0.Add(time.Hour), QueueID: "D", From: "alice@example.com", MessageID: "<d4@example.com>",
			Rcpts: []string{"carol@example.net"}, ClientIP: "127.0.0.1", Action: "accept"},
	}}
}

func TestSearchFilters(t *testing.T) {
	hour := Query{Since: t0, Until: t0.Add(time.Hour)}
	with := func(f func(q *Query)) Query { q := hour; f(&q); return q }
	cases := []struct {
		name string
		q    Query
		want []string
	}{
		{name: "range, Until exclusive, newest first", q: hour, want: []string{"C", "B", "A"}},
		{name: "Until one ms later", q: with(func(q *Query) { q.Until = t0.Add(time.Hour + time.Millisecond) }), want: []string{"D", "C", "B", "A"}},
		{name: "Since inclusive", q: with(func(q *Query) { q.Since = t0.Add(time.Minute) }), want: []string{"C", "B"}},
		{name: "from, any case, bare", q: with(func(q *Query) { q.From = "ALICE@example.com" }), want: []string{"C", "A"}},
		{name: "from as a field value", q: with(func(q *Query) { q.From = "A. <alice@EXAMPLE.com>" }), want: []string{"C", "A"}},
		{name: "rcpt", q: with(func(q *Query) { q.Rcpt = "<Carol@Example.net>" }), want: []string{"B", "A"}},
		{name: "rcpt deduplicated", q: with(func(q *Query) { q.Rcpt = "bob@example.net" }), want: []string{"A"}},
		{name: "rcpt and from", q: with(func(q *Query) {
			q.Rcpt, q.From, q.Until = "carol@example.net", "alice@example.com", t0.Add(2*time.Hour)
		}), want: []string{"D", "A"}},
		{name: "message id bare", q: with(func(q *Query) { q.MessageID = "a1@example.com" }), want: []string{"A"}},
		{name: "message id bracketed", q: with(func(q *Query) { q.MessageID = " <b2@example.org> " }), want: []string{"B"}},
		{name: "message id is case-sensitive", q: with(func(q *Query) { q.MessageID = "A1@example.com" }), want: []string{}},
		{name: "IPv4", q: with(func(q *Query) { q.ClientIP = "127.0.0.1" }), want: []string{"A"}},
		{name: "IPv6 long form", q: with(func(q *Query) { q.ClientIP = "0:0:0:0:0:0:0:1" }), want: []string{"B"}},
		{name: "IPv4-mapped stored as IPv4", q: with(func(q *Query) { q.ClientIP = "127.0.0.2" }), want: []string{"C"}},
		{name: "limit", q: with(func(q *Query) { q.Limit = 2 }), want: []string{"C", "B"}},
		{name: "no match", q: with(func(q *Query) { q.From = "nobody@example.com" }), want: []string{}},
	}
	eachStore(t, func(t *testing.T, s *Store) {
		for _, b := range searchFixture() {
			mustInsert(t, s, b...)
		}
		for _, c := range cases {
			if got := queueIDs(mustSearch(t, s, c.q)); !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s: got %v, want %v", c.name, got, c.want)
			}
		}
	})
}

func TestSearchErrors(t *testing.T) {
	s := stores(t)["sqlite"]
	ok := Query{Since: t0, Until: t0.Add(time.Hour)}
	with := func(f func(q *Query)) Query { q := ok; f(&q); return q }
	for _, c := range []struct {
		name string
		q    Query
		want string
	}{
		{name: "no since", q: with(func(q *Query) { q.Since = time.Time{} }), want: "time range required"},
		{name: "no until", q: with(func(q *Query) { q.Until = time.Time{} }), want: "time range required"},
		{name: "inverted", q: with(func(q *Query) { q.Since, q.Until = q.Until, q.Since }), want: "not after"},
		{name: "empty", q: with(func(q *Query) { q.Until = q.Since }), want: "not after"},
		{name: "bad IP", q: with(func(q *Query) { q.ClientIP = "127.0.0.256" }), want: "client IP"},
		{name: "host name as IP", q: with(func(q *Query) { q.ClientIP = "mail.example.com" }), want: "client IP"},
		{name: "negative limit", q: with(func(q *Query) { q.Limit = -1 }), want: "limit"},
		{name: "limit too big", q: with(func(q *Query) { q.Limit = MaxLimit + 1 }), want: "limit"},
		{name: "empty message id", q: with(func(q *Query) { q.MessageID = "<>" }), want: "message id"},
		{name: "empty rcpt", q: with(func(q *Query) { q.Rcpt = "<>" }), want: "recipient"},
	} {
		_, err := s.Search(context.Background(), c.q)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestSearchDefaultLimit(t *testing.T) {
	s := stores(t)["sqlite"]
	recs := make([]Record, DefaultLimit+5)
	for i := range recs {
		recs[i] = Record{Time: t0.Add(time.Duration(i) * time.Second), QueueID: "q", Action: "accept"}
	}
	mustInsert(t, s, recs...)
	got := mustSearch(t, s, Query{Since: t0, Until: t0.Add(24 * time.Hour)})
	if len(got) != DefaultLimit {
		t.Fatalf("got %d records, want the default limit %d", len(got), DefaultLimit)
	}
	if want := t0.Add(time.Duration(len(recs)-1) * time.Second); !got[0].Time.Equal(want) {
		t.Errorf("first record at %s, want the newest %s", got[0].Time, want)
	}
}

// A record of a client refused at RCPT comes back with its stage.
func TestSearchRCPTStage(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		mustInsert(t, s,
			Record{Time: t0, QueueID: "E", Stage: StageRCPT, BlockedClient: true, ClientIP: "127.0.0.66", Action: "reject", Reply: "554 5.7.1 listed"},
			Record{Time: t0.Add(time.Minute), QueueID: "F", Direction: "inbound", ClientIP: "127.0.0.66", Action: "accept"})
		got := mustSearch(t, s, Query{Since: t0, Until: t0.Add(time.Hour), ClientIP: "127.0.0.66"})
		if len(got) != 2 || got[1].Stage != StageRCPT || got[1].Direction != "" || got[0].Stage != "" || got[0].Direction != "inbound" {
			t.Errorf("records %+v", got)
		}
	})
}
