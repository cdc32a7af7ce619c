package archive

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"
)

// The SQLite file deleted under a running writer (alone, or with its WAL
// and shared-memory files): no batch lands in the unlinked file; the
// store counts as failed, a new archive is created at the path, and every
// record added after the deletion is in it.
func TestWriterSQLiteFileDeleted(t *testing.T) {
	for _, files := range [][]string{{""}, {"", "-wal", "-shm"}} {
		t.Run(map[int]string{1: "file", 3: "file, WAL and shm"}[len(files)], func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "archive.db")
			s, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			w := NewWriter(s, WriterOptions{Batch: 10, Flush: time.Millisecond, RetryMin: time.Millisecond, RetryMax: 2 * time.Millisecond})
			stop := start(t, w)
			addAll(t, w, recs("before", 5))
			waitFor(t, "the first records", func() bool { return w.Stats().Written == 5 })
			for _, suffix := range files {
				if err := os.Remove(path + suffix); err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
			}
			after := recs("after", 30)
			addAll(t, w, after)
			waitFor(t, "the records after the deletion", func() bool { return w.Stats().Written == 35 })
			stop()
			if st := w.Stats(); st.FailedBatches < 1 || st.Dropped != 0 {
				t.Errorf("stats %+v, want at least one failed batch, none dropped", st)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			again, err := OpenExisting(ctx, path)
			if err != nil {
				t.Fatalf("the archive at the path: %v", err)
			}
			defer again.Close()
			got := mustSearch(t, again, Query{Since: t0.Add(-time.Hour), Until: t0.Add(time.Hour), Limit: 100})
			if ids := sortedIDs(got); !reflect.DeepEqual(ids, sortedIDs(after)) {
				t.Errorf("archive at the path holds %v, want the 30 records added after the deletion", ids)
			}
		})
	}
}

// sortedIDs lists the QueueIDs of recs, sorted.
func sortedIDs(recs []Record) []string {
	ids := queueIDs(recs)
	slices.Sort(ids)
	return ids
}
