package archive

import (
	"context"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	header := "Received: from mail.example.com (mail.example.com [127.0.0.1])\r\n" +
		"\tby mx.example.net; Sun, 1 Mar 2026 09:00:00 +0700\r\n" +
		"Subject: =?UTF-8?B?VGnhur9uZyBWaeG7h3Q=?=\r\n" +
		"X-Raw-8bit: caf\xe9 \xff\xfe end\r\n" +
		"X-UTF8: Tiếng Việt, 日本語\r\n" +
		"X-Nul: a\x00b\r\n" +
		"Message-ID: <rt@example.com>"
	longID := strings.Repeat("x", 3000) + "@example.com"
	cases := []struct {
		name string
		in   Record
		want Record
	}{{
		name: "full record",
		in: Record{
			Time: t0.Add(123456789 * time.Nanosecond), QueueID: "4XyZ1", Direction: "inbound",
			ClientIP: "127.0.0.1", ClientName: "mail.example.com", HELO: "mail.example.com",
			MailFrom: "Bounce@Example.com", Rcpts: []string{"Zed@example.net", "amy@example.net"},
			MessageID: "<rt@example.com>", From: "Sender <Sender@Example.COM>", Subject: "Tiếng Việt",
			Header: header, Action: "reject", Score: 12.5, Rules: []string{"decree91.label", "spf.fail"},
			Articles: []string{"Art. 12", "Art. 18"}, Advertiser: "example.com",
			Reply: "550 5.7.1 Decree 91/2020 Art. 12: missing label", Size: 4096,
		},
		want: Record{
			Time: t0.Add(123 * time.Millisecond), QueueID: "4XyZ1", Direction: "inbound",
			ClientIP: "127.0.0.1", ClientName: "mail.example.com", HELO: "mail.example.com",
			MailFrom: "Bounce@Example.com", Rcpts: []string{"amy@example.net", "zed@example.net"},
			MessageID: "rt@example.com", From: "sender@example.com", Subject: "Tiếng Việt",
			Header: header, Action: "reject", Score: 12.5, Rules: []string{"decree91.label", "spf.fail"},
			Articles: []string{"Art. 12", "Art. 18"}, Advertiser: "example.com",
			Reply: "550 5.7.1 Decree 91/2020 Art. 12: missing label", Size: 4096,
		},
	}, {
		name: "answered before headers, bad text made valid",
		in: Record{Time: t0, QueueID: "q\x00", ClientIP: "unknown", HELO: "h\xff", Subject: "caf\xe9",
			Action: "reject", Score: math.NaN(), MessageID: longID},
		want: Record{Time: t0, QueueID: "q", ClientIP: "unknown", HELO: "h\uFFFD", Subject: "caf\uFFFD",
			Action: "reject", MessageID: longID[:maxIndexed]},
	}}
	eachStore(t, func(t *testing.T, s *Store) {
		for _, c := range cases {
			mustInsert(t, s, c.in)
			got := mustSearch(t, s, Query{Since: t0, Until: t0.Add(time.Second), MessageID: c.in.MessageID})
			if len(got) != 1 {
				t.Fatalf("%s: %d records found by message id", c.name, len(got))
			}
			if !reflect.DeepEqual(got[0], c.want) {
				t.Errorf("%s:\n got %#v\nwant %#v", c.name, got[0], c.want)
			}
		}
	})
}

// TestInsertAtomic makes a batch fail inside the database (triggers):
// once at its third header row, after two rows went in, and once at the
// counts, after every header and recipient row went in.
func TestInsertAtomic(t *testing.T) {
	trigger := map[string][]string{
		"sqlite": {
			`CREATE TRIGGER boom BEFORE INSERT ON archive_headers WHEN NEW.queue_id = 'BOOM'
				BEGIN SELECT RAISE(ABORT, 'boom'); END`,
			`CREATE TRIGGER boom_count BEFORE INSERT ON archive_daily_counts WHEN NEW.key = 'BOOM'
				BEGIN SELECT RAISE(ABORT, 'boom'); END`,
		},
		"postgres": {
			`CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN IF to_jsonb(NEW)->>'queue_id' = 'BOOM' OR to_jsonb(NEW)->>'key' = 'BOOM'
				THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$`,
			`CREATE TRIGGER boom BEFORE INSERT ON archive_headers FOR EACH ROW EXECUTE FUNCTION boom()`,
			`CREATE TRIGGER boom_count BEFORE INSERT ON archive_daily_counts FOR EACH ROW EXECUTE FUNCTION boom()`,
		},
	}
	batch := func(queueID3, rule4 string) []Record {
		ids := []string{"ok1", "ok2", queueID3, "ok4"}
		var out []Record
		for i, id := range ids {
			out = append(out, Record{Time: t0.Add(time.Duration(i) * time.Second), QueueID: id,
				Rcpts: []string{"user@example.net"}, Action: "reject", Rules: []string{"r"}, ClientIP: "127.0.0.1"})
		}
		out[3].Rules = append(out[3].Rules, rule4)
		return out
	}
	eachStore(t, func(t *testing.T, s *Store) {
		for _, stmt := range trigger[s.dialect.String()] {
			if _, err := s.db.Load().W.Exec(stmt); err != nil {
				t.Fatal(err)
			}
		}
		ctx := context.Background()
		for _, bad := range [][]Record{batch("BOOM", "r2"), batch("ok3", "BOOM")} {
			if err := s.Insert(ctx, bad); err == nil || !strings.Contains(err.Error(), "boom") {
				t.Fatalf("Insert with a failing row: %v", err)
			}
			for _, table := range []string{"archive_headers", "archive_recipients", "archive_daily_counts"} {
				if n := tableRows(t, s, table); n != 0 {
					t.Errorf("%s has %d rows after a failed batch", table, n)
				}
			}
		}
		mustInsert(t, s, batch("ok3", "r2")...)
		got := queueIDs(mustSearch(t, s, Query{Since: t0, Until: t0.Add(time.Hour), Rcpt: "user@example.net"}))
		if want := []string{"ok4", "ok3", "ok2", "ok1"}; !reflect.DeepEqual(got, want) {
			t.Errorf("after a good batch: %v, want %v", got, want)
		}
	})
}

func TestOpenTwiceAndEmptyInsert(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a.db")
	for i := range 2 {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("Open #%d: %v", i+1, err)
		}
		if v, err := s.db.Load().SchemaVersion(ctx, "archive"); err != nil || v != len(steps) {
			t.Errorf("schema version %d, %v; want %d", v, err, len(steps))
		}
		if err := s.Insert(ctx, nil); err != nil {
			t.Errorf("empty Insert: %v", err)
		}
		s.Close()
	}
	if _, err := Open(ctx, ":memory:"); err == nil {
		t.Error("Open(:memory:) succeeded")
	}
}
