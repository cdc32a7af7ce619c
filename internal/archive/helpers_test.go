package archive

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"milter91/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// t0 is the time origin of all tests.
var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// stores opens one fresh Store per backend, keyed "sqlite" and "postgres".
func stores(t *testing.T) map[string]*Store {
	t.Helper()
	out := map[string]*Store{}
	for name, target := range map[string]string{
		"sqlite":   filepath.Join(t.TempDir(), "archive.db"),
		"postgres": pgtest.DSN(t),
	} {
		s, err := Open(context.Background(), target)
		if err != nil {
			t.Fatalf("%s: Open: %v", name, err)
		}
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("%s: Close: %v", name, err)
			}
		})
		out[name] = s
	}
	return out
}

// eachStore runs fn as a subtest per backend, in a stable order.
func eachStore(t *testing.T, fn func(t *testing.T, s *Store)) {
	t.Helper()
	all := stores(t)
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		t.Run(n, func(t *testing.T) { fn(t, all[n]) })
	}
}

func mustInsert(t testing.TB, s *Store, recs ...Record) {
	t.Helper()
	if err := s.Insert(context.Background(), recs); err != nil {
		t.Fatalf("Insert: %v", err)
	}
}

func mustSearch(t testing.TB, s *Store, q Query) []Record {
	t.Helper()
	recs, err := s.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	return recs
}

// queueIDs lists the QueueIDs of recs, in order.
func queueIDs(recs []Record) []string {
	out := []string{}
	for _, r := range recs {
		out = append(out, r.QueueID)
	}
	return out
}

// tableRows counts the rows of an archive table.
func tableRows(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	db, err := s.cur()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.R.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}
