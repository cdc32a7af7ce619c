package counterstore

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"milter91/internal/counter"
	"milter91/internal/pgtest"
	"milter91/internal/sqldb"
)

// sqlBackends are the contract backends on SQL.
func sqlBackends() []backend {
	var out []backend
	for _, be := range backends() {
		if be.name == "sqlite" || be.name == "postgres" {
			out = append(out, be)
		}
	}
	return out
}

// Maintain removes expired rows in chunks, then evicts the soonest-
// expiring rows over the cap; two nodes maintaining at once evict no more
// than one would.
func TestSQLMaintainPrunesAndCaps(t *testing.T) {
	for _, be := range sqlBackends() {
		t.Run(be.name, func(t *testing.T) {
			c := newClock()
			a, b := be.open(t, Options{Now: c.Now, MaxRows: 100})
			var incs []counter.Inc
			for i := range 2*pruneChunk + 10 {
				incs = append(incs, inc("gone"+strconv.Itoa(i), 1, time.Minute))
			}
			for i := range 300 { // "live0" expires first, "live299" last
				incs = append(incs, inc("live"+strconv.Itoa(i), 1, time.Hour+time.Duration(i)*time.Second))
			}
			mustAdd(t, a, incs...)
			c.Advance(2 * time.Minute)
			ups := make([]counter.Upkeep, 2)
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for i, s := range []counter.Backend{a, b} {
				wg.Go(func() { ups[i], errs[i] = s.Maintain(bg) })
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
			if exp := ups[0].Expired + ups[1].Expired; exp != 2*pruneChunk+10 {
				t.Errorf("expired rows removed: %d (%+v), want %d", exp, ups, 2*pruneChunk+10)
			}
			if ev := ups[0].Evicted + ups[1].Evicted; ev != 200 {
				t.Errorf("rows evicted: %d (%+v), want 200", ev, ups)
			}
			up, err := a.Maintain(bg)
			if err != nil || up != (counter.Upkeep{Rows: 100}) {
				t.Errorf("third Maintain = %+v, %v; want 100 rows, nothing removed", up, err)
			}
			if got := mustGet(t, b, "live0", "live199", "live200", "live299"); !slices.Equal(got, []int64{0, 0, 1, 1}) {
				t.Errorf("live0, live199, live200, live299 = %v, want [0 0 1 1]: the soonest-expiring go first", got)
			}
		})
	}
}

// A SQLite file deleted under the store: Add and Ping fail with
// sqldb.ErrFileChanged instead of counting into an unlinked file.
func TestSQLiteFileRemoved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	s := openT(t, path, Options{})
	mustAdd(t, s, inc("k", 1, time.Minute))
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(bg, []counter.Inc{inc("k", 1, time.Minute)}); !errors.Is(err, sqldb.ErrFileChanged) {
		t.Errorf("Add after the file was removed: %v, want ErrFileChanged", err)
	}
	if err := s.Ping(bg); !errors.Is(err, sqldb.ErrFileChanged) {
		t.Errorf("Ping: %v, want ErrFileChanged", err)
	}
}

func TestPostgresOutageAndRecovery(t *testing.T) {
	dsn, p := pgtest.ProxyDSN(t)
	outageAndRecovery(t, openT(t, dsn, Options{}), p)
}

// Tables of different names share a database; the schema is recorded per
// name.
func TestSQLNamesAreSeparate(t *testing.T) {
	for _, be := range sqlBackends() {
		t.Run(be.name, func(t *testing.T) {
			target := filepath.Join(t.TempDir(), "c.db")
			if be.name == "postgres" {
				target = pgtest.DSN(t)
			}
			a := openT(t, target, Options{Name: "one"})
			b := openT(t, target, Options{Name: "two"})
			mustAdd(t, a, inc("k", 1, time.Minute))
			if got := mustGet(t, b, "k"); got[0] != 0 {
				t.Errorf("store two sees store one's counter: %d", got[0])
			}
			if v, err := a.(*SQL).db.SchemaVersion(bg, "counter_one"); err != nil || v != 1 {
				t.Errorf("schema version of counter_one = %d, %v; want 1", v, err)
			}
		})
	}
}
