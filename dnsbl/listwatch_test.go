package dnsbl_test

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"milter91/dnsbl"
)

// listLogRecord is one call of a ListWatcher's logf.
type listLogRecord struct {
	msg  string
	args map[string]string
}

// listLogSink collects logf calls from the watcher's goroutine.
type listLogSink struct {
	mu   sync.Mutex
	recs []listLogRecord
}

func (s *listLogSink) logf(msg string, args ...any) {
	r := listLogRecord{msg: msg, args: map[string]string{}}
	for i := 0; i+1 < len(args); i += 2 {
		r.args[fmt.Sprint(args[i])] = fmt.Sprint(args[i+1])
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recs = append(s.recs, r)
}

// find returns the records for list whose message contains msg.
func (s *listLogSink) find(list, msg string) []listLogRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []listLogRecord
	for _, r := range s.recs {
		if r.args["list"] == list && strings.Contains(r.msg, msg) {
			out = append(out, r)
		}
	}
	return out
}

// waitForList polls cond until it holds; it fails the test after 10 s.
func waitForList(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// replaceListFile writes content next to path and renames it over path, as
// deployment tools and editors do.
func replaceListFile(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// twoLists writes lists "a" (127.0.0.1) and "b" (127.0.0.2) in one
// directory and returns a watcher over them.
func twoLists(t *testing.T) (w *dnsbl.ListWatcher, pathA, pathB string, logs *listLogSink) {
	t.Helper()
	dir := t.TempDir()
	pathA, pathB = filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt")
	for p, c := range map[string]string{pathA: "127.0.0.1\n", pathB: "127.0.0.2\n"} {
		if err := os.WriteFile(p, []byte(c), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	logs = &listLogSink{}
	w, err := dnsbl.NewListWatcher([]dnsbl.ListSpec{{Name: "a", Path: pathA}, {Name: "b", Path: pathB}}, logs.logf)
	if err != nil {
		t.Fatal(err)
	}
	return w, pathA, pathB, logs
}

func listHas(l *dnsbl.List, ip string) bool { return l.ContainsIP(netip.MustParseAddr(ip)) }

func TestNewListWatcherErrors(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.txt"), filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(good, []byte("127.0.0.1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("127.0.0.1\nnot a domain\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.txt")
	tests := []struct {
		name  string
		specs []dnsbl.ListSpec
		wants []string
	}{
		{"bad line", []dnsbl.ListSpec{{Name: "ok", Path: good}, {Name: "nat", Path: bad}},
			[]string{`list "nat": ` + bad + `:2: "not a domain"`}},
		{"missing file", []dnsbl.ListSpec{{Name: "m", Path: missing}}, []string{`list "m": `, missing}},
		{"both named", []dnsbl.ListSpec{{Name: "nat", Path: bad}, {Name: "m", Path: missing}},
			[]string{bad + ":2:", missing}},
		{"empty name", []dnsbl.ListSpec{{Path: good}}, []string{"empty name"}},
		{"empty path", []dnsbl.ListSpec{{Name: "x"}}, []string{`list "x": empty path`}},
		{"name twice", []dnsbl.ListSpec{{Name: "x", Path: good}, {Name: "x", Path: good}},
			[]string{`list "x": name used twice`}},
	}
	for _, tc := range tests {
		w, err := dnsbl.NewListWatcher(tc.specs, nil)
		if err == nil || w != nil {
			t.Errorf("%s: watcher %v, error %v; want only an error", tc.name, w, err)
			continue
		}
		for _, want := range tc.wants {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q does not contain %q", tc.name, err, want)
			}
		}
	}
}

func TestListWatcherReload(t *testing.T) {
	w, pathA, pathB, logs := twoLists(t)
	oldB := w.Get("b")
	if !listHas(w.Get("a"), "127.0.0.1") || !listHas(oldB, "127.0.0.2") || w.Get("nope") != nil {
		t.Fatal("initial lists wrong")
	}
	replaceListFile(t, pathA, "127.0.0.3\n127.0.0.4\n")
	replaceListFile(t, pathB, "127.0.0.5\n127.0.0.300\n")
	err := w.Reload()
	if want := `list "b": ` + pathB + `:2: "127.0.0.300"`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Reload error %v, want it to contain %q", err, want)
	}
	if err != nil && strings.Contains(err.Error(), pathA) {
		t.Errorf("Reload error %q names the good file", err)
	}
	if a := w.Get("a"); !listHas(a, "127.0.0.3") || listHas(a, "127.0.0.1") {
		t.Error("list a not reloaded")
	}
	if w.Get("b") != oldB || listHas(w.Get("b"), "127.0.0.5") {
		t.Error("broken list b replaced its previous list")
	}
	if ok := logs.find("a", "reloaded"); len(ok) != 1 || ok[0].args["entries"] != "2" {
		t.Errorf("log for a: %v, want one reload with 2 entries", ok)
	}
	if fail := logs.find("b", "failed"); len(fail) != 1 || !strings.Contains(fail[0].args["err"], pathB+":2:") {
		t.Errorf("log for b: %v, want one failure naming %s:2", fail, pathB)
	}
}

func TestListWatcherWatch(t *testing.T) {
	w, pathA, _, logs := twoLists(t)
	oldB := w.Get("b")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Watch(ctx) }()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Watch: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Watch did not return after cancel")
		}
	}()

	replaceListFile(t, pathA, "127.0.0.3\n")
	waitForList(t, "the renamed file", func() bool { return listHas(w.Get("a"), "127.0.0.3") })
	if listHas(w.Get("a"), "127.0.0.1") {
		t.Error("old entry still listed after reload")
	}
	newA := w.Get("a")

	replaceListFile(t, pathA, "127.0.0.4\nbad_name.example.com\n")
	waitForList(t, "the failure log", func() bool { return len(logs.find("a", "failed")) > 0 })
	if fail := logs.find("a", "failed"); !strings.Contains(fail[0].args["err"], pathA+":2:") {
		t.Errorf("failure log %v does not name %s:2", fail[0], pathA)
	}
	if w.Get("a") != newA {
		t.Error("a broken file replaced the list")
	}

	if err := os.WriteFile(pathA, []byte("127.0.0.5\n"), 0o600); err != nil { // in place
		t.Fatal(err)
	}
	waitForList(t, "the file written in place", func() bool { return listHas(w.Get("a"), "127.0.0.5") })
	if w.Get("b") != oldB || len(logs.find("b", "")) != 0 {
		t.Error("list b reloaded though its file did not change")
	}
}

func TestListWatcherChangeBeforeWatch(t *testing.T) {
	w, pathA, _, _ := twoLists(t)
	replaceListFile(t, pathA, "127.0.0.9\n") // before Watch runs: no event to see
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = w.Watch(ctx) }()
	waitForList(t, "the file changed before Watch", func() bool { return listHas(w.Get("a"), "127.0.0.9") })
}

func TestListWatcherWatchNoDirectory(t *testing.T) {
	w, pathA, pathB, _ := twoLists(t)
	for _, p := range []string{pathA, pathB} {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Remove(filepath.Dir(pathA)); err != nil {
		t.Fatal(err)
	}
	err := w.Watch(context.Background())
	if err == nil || !strings.Contains(err.Error(), filepath.Dir(pathA)) {
		t.Errorf("Watch error %v, want one naming %s", err, filepath.Dir(pathA))
	}
	if !listHas(w.Get("a"), "127.0.0.1") {
		t.Error("list lost with its directory")
	}
}

// A list reloaded empty from a non-empty one is applied but logged with a
// warning: a truncated download looks the same.
func TestListWatcherEmptiedListWarns(t *testing.T) {
	w, pathA, _, logs := twoLists(t)
	if err := os.WriteFile(pathA, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := w.Reload(); err != nil {
		t.Fatal(err)
	}
	recs := logs.find("a", "list reloaded EMPTY")
	if w.Get("a").Len() != 0 || len(recs) != 1 || recs[0].args["warning"] != "the list had 1 entries" {
		t.Errorf("list a has %d entries, logs %+v", w.Get("a").Len(), recs)
	}
	if len(logs.find("b", "EMPTY")) != 0 {
		t.Error("list b, unchanged, was reported empty")
	}
}
