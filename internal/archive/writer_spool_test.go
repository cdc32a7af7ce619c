package archive

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"milter91/internal/pgtest"
)

func openSpool(t *testing.T, dir string, maxBytes int64, perSegment int) *Spool {
	t.Helper()
	sp, err := OpenSpool(dir, maxBytes, perSegment)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

// Past the queue records go to the spool instead of being dropped; when
// the store answers again every record is written once, in the order
// added, and the spool is empty.
func TestWriterSpoolsPastTheQueue(t *testing.T) {
	f := &fakeStore{}
	f.fail.Store(true)
	var spooled atomic.Int64
	sp := openSpool(t, t.TempDir(), 1<<20, 4)
	w := NewWriter(f, WriterOptions{Queue: 3, Batch: 4, Flush: time.Millisecond, RetryMin: time.Millisecond,
		RetryMax: 2 * time.Millisecond, Spool: sp, OnSpooled: func() { spooled.Add(1) }})
	stop := start(t, w)
	in := recs("r", 40)
	addAll(t, w, in)
	waitFor(t, "a failed batch", func() bool { return w.Stats().FailedBatches > 0 })
	st := w.Stats()
	if !st.Failing || st.LastError == "" || st.Dropped != 0 || st.Spooled < 40-3-4 || st.Spooled != spooled.Load() {
		t.Fatalf("while failing: %+v (OnSpooled %d); want failing, nothing dropped, the overflow spooled", st, spooled.Load())
	}
	f.fail.Store(false)
	waitFor(t, "every record", func() bool { return w.Stats().Written == 40 })
	stop()
	if got := f.ids(); !reflect.DeepEqual(got, queueIDs(in)) {
		t.Errorf("written %v, want each record once in order", got)
	}
	if st := w.Stats(); st.Failing || st.Spooled != 0 || st.SpoolBytes != 0 || st.Accepted != 40 {
		t.Errorf("after recovery: %+v, want not failing, spool empty", st)
	}
}

// Records spooled, and the queue spooled at shutdown because the store
// failed, are written by the next run, in order.
func TestWriterSpoolSurvivesRestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	f := &fakeStore{}
	f.fail.Store(true)
	w := NewWriter(f, WriterOptions{Queue: 5, Batch: 4, Flush: time.Millisecond, RetryMin: time.Millisecond,
		RetryMax: 2 * time.Millisecond, CloseTimeout: time.Second, Spool: openSpool(t, dir, 1<<20, 4)})
	stop := start(t, w)
	in := recs("r", 23)
	addAll(t, w, in)
	waitFor(t, "a failed batch", func() bool { return w.Stats().FailedBatches > 0 })
	stop()
	if st := w.Stats(); st.Dropped != 0 || st.Written != 0 || st.Spooled != 23 {
		t.Fatalf("after the first run: %+v, want all 23 spooled", st)
	}
	g := &fakeStore{}
	w2 := NewWriter(g, WriterOptions{Batch: 4, Flush: time.Millisecond, Spool: openSpool(t, dir, 1<<20, 4)})
	if st := w2.Stats(); st.Spooled != 23 {
		t.Fatalf("the next run sees %d spooled, want 23", st.Spooled)
	}
	stop2 := start(t, w2)
	waitFor(t, "the spooled records", func() bool { return w2.Stats().Written == 23 })
	stop2()
	got := g.ids()
	if !slices.Equal(sortedIDs(recsOf(got)), sortedIDs(in)) || len(got) != 23 {
		t.Errorf("written %v, want the 23 records once", got)
	}
}

// recsOf turns queue IDs back into records, for sortedIDs.
func recsOf(ids []string) []Record {
	out := make([]Record, len(ids))
	for i, id := range ids {
		out[i].QueueID = id
	}
	return out
}

// What the spool cannot take is dropped, counted and logged with the
// queue IDs; the drop line is rate-limited, its count covers every drop.
func TestWriterSpoolFullDrops(t *testing.T) {
	f := &fakeStore{gate: make(chan struct{}), entered: make(chan struct{}, 1)}
	f.fail.Store(true)
	logs := &logSink{}
	frame, _ := appendFrame(nil, recs("d", 1)[0])
	w := NewWriter(f, WriterOptions{Queue: 1, Batch: 1, Flush: time.Millisecond, RetryMin: time.Millisecond,
		RetryMax: 2 * time.Millisecond, Spool: openSpool(t, t.TempDir(), int64(3*len(frame)), 1), Logger: slog.New(logs)})
	stop := start(t, w)
	in := recs("d", 10)
	addAll(t, w, in[:1])
	<-f.entered // Run holds d0 in a blocked Insert: no drop line before every Add
	taken, dropped := 1, []string{}
	for _, r := range in[1:] {
		if w.Add(r) {
			taken++
		} else {
			dropped = append(dropped, r.QueueID)
		}
	}
	close(f.gate)
	waitFor(t, "the drop line", func() bool { return len(logs.lines("archive: records dropped")) > 0 })
	st := w.Stats()
	if st.Dropped != int64(10-taken) || taken != 5 {
		t.Fatalf("stats %+v with %d taken; want the rest dropped (queue 1, batch 1, spool 3)", st, taken)
	}
	ids := logs.attr("archive: records dropped", "queue_ids")
	reasons := logs.attr("archive: records dropped", "reason")
	if len(ids) != 1 || ids[0] != strings.Join(dropped, " ") || reasons[0] != ErrSpoolFull.Error() {
		t.Errorf("drop lines: ids %q reasons %q; want one line listing %v, spool full", ids, reasons, dropped)
	}
	f.fail.Store(false)
	waitFor(t, "what was taken", func() bool { return w.Stats().Written == int64(taken) })
	stop()
	if got := logs.lines("archive: no more records dropped"); len(got) != 1 {
		t.Errorf("recovery lines %v, want one", got)
	}
}

// downStore fails every Insert while down is set, else passes it on.
type downStore struct {
	Inserter
	down atomic.Bool
}

func (d *downStore) Insert(ctx context.Context, recs []Record) error {
	if d.down.Load() {
		return errors.New("store down")
	}
	return d.Inserter.Insert(ctx, recs)
}

// On both backends: records added while the store is unreachable (a
// PostgreSQL server cut away behind a proxy; a SQLite store failing)
// wait in the queue and the spool, and all of them are stored, once,
// when it answers again.
func TestWriterOutageOnBothBackends(t *testing.T) {
	ctx := context.Background()
	dsn, proxy := pgtest.ProxyDSN(t)
	pg, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close() })
	lite, err := Open(ctx, filepath.Join(t.TempDir(), "archive.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lite.Close() })
	liteDown := &downStore{Inserter: lite}
	for _, tc := range []struct {
		name      string
		ins       Inserter
		store     *Store
		cut, heal func()
	}{
		{name: "postgres", ins: pg, store: pg, cut: proxy.Cut, heal: proxy.Listen},
		{name: "sqlite", ins: liteDown, store: lite, cut: func() { liteDown.down.Store(true) }, heal: func() { liteDown.down.Store(false) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := NewWriter(tc.ins, WriterOptions{Queue: 5, Batch: 10, Flush: time.Millisecond, RetryMin: time.Millisecond,
				RetryMax: 5 * time.Millisecond, WriteTimeout: 2 * time.Second, Spool: openSpool(t, t.TempDir(), 1<<20, 10)})
			stop := start(t, w)
			before, during := recs("b", 20), recs("d", 60)
			addAll(t, w, before)
			waitFor(t, "the first records", func() bool { return w.Stats().Written == 20 })
			tc.cut()
			addAll(t, w, during)
			waitFor(t, "a failed batch and the spool in use", func() bool {
				st := w.Stats()
				return st.FailedBatches > 0 && st.Spooled > 0 && st.Failing
			})
			tc.heal()
			waitFor(t, "every record", func() bool { return w.Stats().Written == 80 })
			stop()
			got := mustSearch(t, tc.store, Query{Since: t0.Add(-time.Hour), Until: t0.Add(time.Hour), Limit: 1000})
			if want := append(queueIDs(before), queueIDs(during)...); !slices.Equal(sortedIDs(got), sortedIDs(recsOf(want))) {
				t.Errorf("stored %d records %v, want the 80 added, once each", len(got), sortedIDs(got))
			}
			if st := w.Stats(); st.Dropped != 0 || st.Failing || st.Spooled != 0 {
				t.Errorf("stats %+v, want nothing dropped, not failing, spool empty", st)
			}
		})
	}
}

// A spool whose directory is removed under the writer: the record it held
// is counted lost (and logged); those added afterwards go to the queue,
// which has room, and are written.
func TestWriterSpoolFailingFallsBackToTheQueue(t *testing.T) {
	f := &fakeStore{}
	dir := filepath.Join(t.TempDir(), "spool")
	sp := openSpool(t, dir, 1<<20, 4)
	if err := sp.Put(recs("old", 1)[0]); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	w := NewWriter(f, WriterOptions{Queue: 10, Batch: 4, Flush: time.Millisecond, RetryMin: time.Millisecond,
		RetryMax: 2 * time.Millisecond, Spool: sp})
	stop := start(t, w)
	in := recs("n", 5)
	addAll(t, w, in)
	waitFor(t, "the records kept", func() bool { st := w.Stats(); return st.Written+st.Dropped == 6 && st.Spooled == 0 })
	stop()
	st := w.Stats()
	got := f.ids()
	if !reflect.DeepEqual(got, queueIDs(in)) || st.Dropped != 1 {
		t.Errorf("written %v, stats %+v; want the 5 new records, the spooled one counted lost", got, st)
	}
}
