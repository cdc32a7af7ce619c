package dmarcstore

import (
	"context"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"milter91/internal/pgtest"
	"milter91/internal/txn"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// eachStore runs fn on a fresh SQLite store and a fresh PostgreSQL one.
func eachStore(t *testing.T, fn func(t *testing.T, s *Store)) {
	targets := map[string]string{"sqlite": filepath.Join(t.TempDir(), "dmarc.db"), "postgres": pgtest.DSN(t)}
	names := []string{"postgres", "sqlite"}
	sort.Strings(names)
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			s, err := Open(context.Background(), targets[n])
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			fn(t, s)
		})
	}
}

// answer is an accepted message from example.com that failed DMARC under
// p=reject and was quarantined.
func answer(at time.Time) txn.Answer {
	return txn.Answer{
		Time: at, Conn: txn.Conn{ClientIP: netip.MustParseAddr("127.0.0.9")}, MailFrom: "bounce@Mail.Example.com",
		Rcpts: []string{"bob@example.net"}, Action: txn.ActionQuarantine,
		Outcome: &txn.Outcome{Facts: txn.Facts{
			SPF:  txn.SPF{Result: "pass", Identity: "mailfrom", Domain: "mail.example.com"},
			DKIM: []txn.DKIM{{Result: "fail", Domain: "example.com", Selector: "s1"}},
			DMARC: txn.DMARC{Result: "fail", Domain: "example.com", PolicyDomain: "example.com", Policy: "reject",
				Discovery: "treewalk", Record: &txn.DMARCRecord{P: "reject", ADKIM: "r", ASPF: "s", RUA: []string{"mailto:agg@example.com"}}},
		}},
	}
}

func TestNewEntry(t *testing.T) {
	e, ok := NewEntry(answer(t0))
	if !ok {
		t.Fatal("no entry")
	}
	if e.Entry.Policy.Domain != "example.com" || e.Entry.Policy.P != "reject" || e.Entry.Policy.ASPF != "s" || e.Entry.Policy.Testing != "n" ||
		e.Entry.Disposition != "quarantine" || e.Entry.EnvelopeFrom != "mail.example.com" || e.Entry.EnvelopeTo != "example.net" ||
		e.Entry.SPF == nil || e.Entry.SPF.Scope != "mfrom" || len(e.Entry.DKIM) != 1 || len(e.RUA) != 1 {
		t.Errorf("entry %+v", e)
	}
	for name, change := range map[string]func(*txn.Answer){
		"no record":    func(a *txn.Answer) { a.Outcome.Facts.DMARC.Record = nil },
		"temperror":    func(a *txn.Answer) { a.Outcome.Facts.DMARC.Result = "temperror" },
		"deferred":     func(a *txn.Answer) { a.Action = txn.ActionTempfail },
		"fault":        func(a *txn.Answer) { a.Fault = "deadline" },
		"no outcome":   func(a *txn.Answer) { a.Outcome = nil },
		"RCPT refusal": func(a *txn.Answer) { a.Stage = txn.StageRCPT },
	} {
		a := answer(t0)
		change(&a)
		if _, ok := NewEntry(a); ok {
			t.Errorf("%s: an entry, want none", name)
		}
	}
}

func TestStoreInsertEntriesPrune(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		var in []Stored
		for i := range 3 {
			e, _ := NewEntry(answer(t0.Add(time.Duration(i) * time.Hour)))
			in = append(in, e)
		}
		if err := s.Insert(ctx, in); err != nil {
			t.Fatal(err)
		}
		got, err := s.Entries(ctx, t0.Add(time.Hour), t0.Add(3*time.Hour))
		if err != nil || len(got) != 2 || !got[0].Entry.Time.Equal(t0.Add(time.Hour)) || got[1].Entry.SourceIP != netip.MustParseAddr("127.0.0.9") ||
			got[0].RUA[0] != "mailto:agg@example.com" {
			t.Fatalf("entries %+v, %v", got, err)
		}
		if n, err := s.Prune(ctx, t0.Add(90*time.Minute)); err != nil || n != 2 {
			t.Errorf("prune: %d, %v; want 2", n, err)
		}
	})
}

func TestWriterWritesAnswers(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		w := NewWriter(s, 10, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
		for i := range 5 {
			w.Answered(answer(t0.Add(time.Duration(i) * time.Minute)))
		}
		w.Answered(txn.Answer{Time: t0}) // nothing to report
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		w.Close(ctx)
		got, err := s.Entries(context.Background(), t0, t0.Add(time.Hour))
		if err != nil || len(got) != 5 || w.Dropped() != 0 {
			t.Errorf("%d entries, %v, %d dropped; want 5, none dropped", len(got), err, w.Dropped())
		}
	})
}
