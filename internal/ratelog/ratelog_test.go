package ratelog

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// lines decodes the JSON log lines in buf.
func lines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l == "" {
			continue
		}
		m := map[string]any{}
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func TestNoteAndClear(t *testing.T) {
	var buf bytes.Buffer
	r := New(slog.New(slog.NewJSONHandler(&buf, nil)), time.Minute, slog.LevelError)
	t0 := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	for i := 0; i < 100; i++ { // 100 events in 50 s: the first line only
		r.Note(t0.Add(time.Duration(i)*500*time.Millisecond), "store", 1, "store down", slog.String("error", "refused"))
	}
	r.Note(t0.Add(61*time.Second), "store", 1, "store down") // a period later: a line with the 100 since
	r.Note(t0.Add(62*time.Second), "other", 2, "other down") // kinds are apart
	r.Note(t0.Add(63*time.Second), "store", 1, "store down")
	r.Clear("store", "store back")
	r.Clear("never", "no line")
	r.Note(t0.Add(64*time.Second), "store", 1, "store down") // a new episode logs at once
	got := lines(t, &buf)
	want := []struct {
		msg, level string
		count      float64
	}{{"store down", "ERROR", 1}, {"store down", "ERROR", 100}, {"other down", "ERROR", 2}, {"store back", "INFO", 1}, {"store down", "ERROR", 1}}
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d: %v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i]["msg"] != w.msg || got[i]["count"] != w.count || got[i]["level"] != w.level {
			t.Errorf("line %d = %v, want %q count %v at %s", i, got[i], w.msg, w.count, w.level)
		}
	}
	if got[0]["error"] != "refused" {
		t.Errorf("attrs lost: %v", got[0])
	}
}

// NoteFunc computes its attributes only for lines it logs, and ClearFunc
// adds them to the closing line.
func TestNoteFuncComputesOnlyLoggedAttrs(t *testing.T) {
	var buf bytes.Buffer
	r := New(slog.New(slog.NewJSONHandler(&buf, nil)), time.Minute, slog.LevelError)
	t0 := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	calls := 0
	attrs := func() []slog.Attr { calls++; return []slog.Attr{slog.Int("call", calls)} }
	for i := range 5 {
		r.NoteFunc(t0.Add(time.Duration(i)*time.Second), "drop", 1, "dropped", attrs)
	}
	r.ClearFunc("drop", "no more drops", attrs)
	got := lines(t, &buf)
	if calls != 2 || len(got) != 2 || got[0]["call"] != 1.0 || got[1]["call"] != 2.0 || got[1]["count"] != 4.0 {
		t.Errorf("attrs computed %d times, lines %v; want 2, the second counting 4", calls, got)
	}
}
