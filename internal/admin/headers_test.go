package admin

import (
	"strings"
	"testing"
	"time"

	"milter91/internal/archive"
)

// headersCase is one case of TestSearchHeaders.
type headersCase struct {
	name   string
	target string
	err    error
	status int
	errHas string
	want   HeaderQuery
	ids    string // queue ids answered, comma-separated
}

// headersCases are the GET /v1/headers cases.
func headersCases() []headersCase {
	return []headersCase{
		{name: "until defaults to now", target: "/v1/headers?since=2026-02-01", status: 200, want: HeaderQuery{Since: day(2, 1), Until: t0, Limit: 100}, ids: "4ABC,4ABB,4ABA"},
		{name: "since required", target: "/v1/headers?until=2026-02-01", status: 400, errHas: "parameter since is required"},
		{name: "before 1970", target: "/v1/headers?since=0001-01-01", status: 400, errHas: "is before 1970-01-01"},
		{name: "empty filter", target: "/v1/headers?since=2026-02-01&rcpt=", status: 400, errHas: `parameter "rcpt" is empty`},
		{name: "message_id only brackets", target: "/v1/headers?since=2026-02-01&message_id=%3C%3E", status: 400, errHas: `parameter "message_id" is empty once`},
		{name: "from only brackets", target: "/v1/headers?since=2026-02-01&from=%3C%20%3E", status: 400, errHas: `parameter "from" is empty once`},
		{name: "blank filter", target: "/v1/headers?since=2026-02-01&client_ip=%20", status: 400, errHas: `parameter "client_ip" is empty`},
		{name: "dates", target: "/v1/headers?since=2026-02-01&until=2026-02-01", status: 200,
			want: HeaderQuery{Since: day(2, 1), Until: day(2, 2), Limit: 100}, ids: "4ABC,4ABB,4ABA"},
		{name: "RFC 3339 with offset", target: "/v1/headers?since=2026-02-01T10:00:00%2B07:00&until=2026-02-02T00:00:00.5Z", status: 200,
			want: HeaderQuery{Since: time.Date(2026, 2, 1, 3, 0, 0, 0, time.UTC), Until: time.Date(2026, 2, 2, 0, 0, 0, 5e8, time.UTC), Limit: 100},
			ids:  "4ABC,4ABB,4ABA"},
		{name: "every field", target: "/v1/headers?since=2026-02-01&from=News@Example.com&rcpt=USER@example.net&message_id=%3Cm1@example.com%3E&client_ip=::ffff:127.0.0.2&limit=2",
			status: 200, want: HeaderQuery{Since: day(2, 1), Until: t0, From: "news@example.com", Rcpt: rcpt, MessageID: "m1@example.com", ClientIP: "127.0.0.2", Limit: 2},
			ids: "4ABC,4ABB"},
		{name: "IPv6", target: "/v1/headers?since=2026-02-01&client_ip=0:0::1", status: 200, want: HeaderQuery{Since: day(2, 1), Until: t0, ClientIP: "::1", Limit: 100}, ids: "4ABC,4ABB,4ABA"},
		{name: "limit zero", target: "/v1/headers?since=2026-02-01&limit=0", status: 400, errHas: `limit "0": want 1..1000`},
		{name: "limit too big", target: "/v1/headers?since=2026-02-01&limit=1001", status: 400, errHas: `limit "1001": want 1..1000`},
		{name: "limit not a number", target: "/v1/headers?since=2026-02-01&limit=ten", status: 400, errHas: `limit "ten"`},
		{name: "bad since", target: "/v1/headers?since=01/02/2026", status: 400, errHas: `since "01/02/2026": want RFC 3339`},
		{name: "bad until", target: "/v1/headers?since=2026-02-01&until=2026-02-30", status: 400, errHas: `until "2026-02-30"`},
		{name: "since after until", target: "/v1/headers?since=2026-02-03&until=2026-02-01", status: 400, errHas: "is not before until"},
		{name: "bad client_ip", target: "/v1/headers?since=2026-02-01&client_ip=mx.example.com", status: 400, errHas: "not an IP address"},
		{name: "unknown parameter", target: "/v1/headers?subject=Sale", status: 400, errHas: `unknown parameter "subject"`},
		{name: "store error", target: "/v1/headers?since=2026-02-01", err: errStore, status: 500, errHas: "search headers: disk on fire"},
	}
}

func TestSearchHeaders(t *testing.T) {
	recs := []archive.Record{
		{Time: time.Date(2026, 2, 2, 8, 0, 0, 0, time.UTC), QueueID: "4ABC", ClientIP: "127.0.0.2", MailFrom: "news@example.com",
			Rcpts: []string{rcpt}, MessageID: "m1@example.com", From: "news@example.com", Subject: "Sale",
			Header: "From: news@example.com\r\nSubject: Sale", Action: "reject", Score: 7.5, Rules: []string{"decree91_label"},
			Articles: []string{"Art. 12"}, Advertiser: adv, Reply: "550 5.7.1 missing label", Size: 1200},
		{Time: time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC), QueueID: "4ABB"},
		{Time: time.Date(2026, 2, 1, 7, 0, 0, 0, time.UTC), QueueID: "4ABA"},
	}
	for _, tt := range headersCases() {
		t.Run(tt.name, func(t *testing.T) {
			s := &fakeSearcher{recs: recs, err: tt.err}
			rec := do(newHandler(t, Options{Headers: s}), request{method: "GET", target: tt.target})
			expect(t, rec, tt.status, tt.errHas)
			if tt.status != 200 {
				if tt.err == nil && s.n != 0 {
					t.Errorf("searcher called for bad input")
				}
				return
			}
			if !s.got.Since.Equal(tt.want.Since) || !s.got.Until.Equal(tt.want.Until) {
				t.Errorf("span [%v, %v), want [%v, %v)", s.got.Since, s.got.Until, tt.want.Since, tt.want.Until)
			}
			s.got.Since, s.got.Until, tt.want.Since, tt.want.Until = time.Time{}, time.Time{}, time.Time{}, time.Time{}
			if s.got != tt.want {
				t.Errorf("query %+v, want %+v", s.got, tt.want)
			}
			var ids []string
			for _, r := range decodeBody[[]archive.Record](t, rec) {
				ids = append(ids, r.QueueID)
			}
			if strings.Join(ids, ",") != tt.ids {
				t.Errorf("answered %v, want %s", ids, tt.ids)
			}
		})
	}
}

func TestSearchHeadersRecordJSON(t *testing.T) {
	s := &fakeSearcher{recs: []archive.Record{{Time: time.Date(2026, 2, 2, 8, 0, 0, 0, time.UTC), QueueID: "4ABC",
		Rcpts: []string{rcpt}, Action: "accept", Score: -0.5}}}
	rec := do(newHandler(t, Options{Headers: s}), request{method: "GET", target: "/v1/headers?since=2026-02-01"})
	expect(t, rec, 200, "")
	for _, want := range []string{`"time":"2026-02-02T08:00:00Z"`, `"queue_id":"4ABC"`, `"rcpts":["user@example.net"]`, `"score":-0.5`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("body %s lacks %s", rec.Body, want)
		}
	}
}

func TestSearchHeadersEmpty(t *testing.T) {
	rec := do(newHandler(t, Options{Headers: &fakeSearcher{}}), request{method: "GET", target: "/v1/headers?since=2026-02-01"})
	expect(t, rec, 200, "")
	if got := strings.TrimSpace(rec.Body.String()); got != "[]" {
		t.Errorf("body %q, want []", got)
	}
}
