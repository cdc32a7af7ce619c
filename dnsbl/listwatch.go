package dnsbl

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
)

// reloadDebounce is how long Watch waits after the last change event of a
// list file before reloading it. Saving a file arrives as a burst of
// events (an editor's write-rename-chmod, a copy's many writes); loading
// on the first one would read a half-written file and load it twice.
const reloadDebounce = 250 * time.Millisecond

// ListSpec names one list file for a ListWatcher.
type ListSpec struct {
	Name string // key for Get, e.g. "national-blacklist"; non-empty, unique
	Path string // the list file, as for LoadList; relative to the working directory
}

// ListWatcher holds named lists loaded from files and replaces a list
// when its file changes (Watch) or on request (Reload). A file that fails
// to load keeps its previous list: loading is all or nothing per file.
// Safe for concurrent use.
type ListWatcher struct {
	logf   func(msg string, args ...any)
	lists  []*watchedList            // in spec order
	byName map[string]*watchedList   // read-only after NewListWatcher
	byPath map[string][]*watchedList // absolute path → lists read from it
}

// watchedList is one named list and the file it comes from.
type watchedList struct {
	name, path string // path is absolute and clean
	cur        atomic.Pointer[List]

	mu    sync.Mutex  // serialises loads, so an older load never replaces a newer one
	stamp os.FileInfo // of the file behind cur; guarded by mu
}

// NewListWatcher loads every list of specs. Errors (a bad spec, a
// missing file, bad lines as "path:line: reason") of all lists are
// joined into one; then no watcher is returned. logf receives one line
// per reload outcome, with slog-style key/value args ("list", name,
// "entries", n or "err", error); nil discards them.
func NewListWatcher(specs []ListSpec, logf func(msg string, args ...any)) (*ListWatcher, error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	w := &ListWatcher{logf: logf, byName: map[string]*watchedList{}, byPath: map[string][]*watchedList{}}
	var errs []error
	for _, s := range specs {
		wl, err := w.add(s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		l, fi, err := loadFile(wl.path)
		if err != nil {
			errs = append(errs, fmt.Errorf("list %q: %w", s.Name, err))
			continue
		}
		wl.cur.Store(l)
		wl.stamp = fi
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return w, nil
}

// add checks and registers one spec.
func (w *ListWatcher) add(s ListSpec) (*watchedList, error) {
	switch {
	case s.Name == "":
		return nil, fmt.Errorf("list with path %q: empty name", s.Path)
	case w.byName[s.Name] != nil:
		return nil, fmt.Errorf("list %q: name used twice", s.Name)
	case s.Path == "":
		return nil, fmt.Errorf("list %q: empty path", s.Name)
	}
	abs, err := filepath.Abs(s.Path)
	if err != nil {
		return nil, fmt.Errorf("list %q: %w", s.Name, err)
	}
	wl := &watchedList{name: s.Name, path: abs}
	w.lists = append(w.lists, wl)
	w.byName[s.Name] = wl
	w.byPath[abs] = append(w.byPath[abs], wl)
	return wl, nil
}

// Get returns the current list called name, or nil (an empty list) for a
// name that no spec had. It takes no lock: keep the returned list for one
// whole check, so that a reload in between does not mix two versions.
func (w *ListWatcher) Get(name string) *List {
	if wl := w.byName[name]; wl != nil {
		return wl.cur.Load()
	}
	return nil
}

// Reload reloads every list from its file, e.g. on SIGHUP. A list whose
// file fails keeps its previous version; the others are still replaced.
// Each outcome is logged; the failures are returned joined, each naming
// the list and "path:line".
func (w *ListWatcher) Reload() error {
	var errs []error
	for _, wl := range w.lists {
		if err := w.reload(wl); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// reload loads wl's file and, if it loads, makes it current; it logs the
// outcome.
func (w *ListWatcher) reload(wl *watchedList) error {
	wl.mu.Lock()
	defer wl.mu.Unlock()
	l, fi, err := loadFile(wl.path)
	if err != nil {
		err = fmt.Errorf("list %q: %w", wl.name, err)
		w.logf("dnsbl: list reload failed, keeping the previous list", "list", wl.name, "err", err)
		return err
	}
	old := wl.cur.Swap(l)
	wl.stamp = fi
	if old.Len() > 0 && l.Len() == 0 {
		// Applied (emptying a list is allowed) but loud: a truncated
		// download looks the same.
		w.logf("dnsbl: list reloaded EMPTY", "list", wl.name, "path", wl.path, "entries", 0,
			"warning", fmt.Sprintf("the list had %d entries", old.Len()))
		return nil
	}
	w.logf("dnsbl: list reloaded", "list", wl.name, "path", wl.path, "entries", l.Len())
	return nil
}

// changed reports whether wl's file is no longer the one loaded: another
// file (replaced by rename), another size or modification time.
func (wl *watchedList) changed() bool {
	wl.mu.Lock()
	defer wl.mu.Unlock()
	fi, err := os.Stat(wl.path)
	if err != nil || wl.stamp == nil {
		return true
	}
	return !os.SameFile(fi, wl.stamp) || fi.Size() != wl.stamp.Size() || !fi.ModTime().Equal(wl.stamp.ModTime())
}

// Watch reloads a list when its file changes, until ctx ends; then it
// returns nil. It watches the files' directories, not the files, so that
// a file replaced by rename (mv, editors, configuration management) is
// seen; a burst of events is reloaded once, reloadDebounce after the last
// event, and only the lists whose files changed are reloaded. Each reload
// is logged (entry count, or the error and that the previous list stays).
// A file changed between NewListWatcher and Watch is reloaded at once.
// Errors: the watch could not be set up (e.g. a directory is gone).
//
// Write a new list elsewhere in the same directory and rename it over the
// old one: a file written in place, slowly, can be read half-written.
func (w *ListWatcher) Watch(ctx context.Context) error {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("dnsbl: list watcher: %w", err)
	}
	defer fw.Close()
	for path := range w.byPath {
		if err := fw.Add(filepath.Dir(path)); err != nil {
			return fmt.Errorf("dnsbl: watching the directory of %s: %w", path, err)
		}
	}
	pending := map[*watchedList]bool{}
	for _, wl := range w.lists {
		if wl.changed() {
			pending[wl] = true
		}
	}
	return w.watchLoop(ctx, fw, pending)
}

// watchLoop collects the lists touched by fw's events into pending and
// reloads them once no event came for reloadDebounce.
func (w *ListWatcher) watchLoop(ctx context.Context, fw *fsnotify.Watcher, pending map[*watchedList]bool) error {
	timer := time.NewTimer(reloadDebounce)
	defer timer.Stop()
	if len(pending) == 0 {
		timer.Stop()
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-fw.Events:
			if !ok {
				return errors.New("dnsbl: list watcher closed")
			}
			if !ev.Has(fsnotify.Create | fsnotify.Write | fsnotify.Remove | fsnotify.Rename) {
				continue // Chmod: the content is the same
			}
			for _, wl := range w.byPath[filepath.Clean(ev.Name)] {
				pending[wl] = true
				timer.Reset(reloadDebounce)
			}
		case err, ok := <-fw.Errors:
			if !ok {
				return errors.New("dnsbl: list watcher closed")
			}
			w.logf("dnsbl: list watcher error", "err", err)
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost: any file may have changed.
				for _, wl := range w.lists {
					pending[wl] = true
				}
				timer.Reset(reloadDebounce)
			}
		case <-timer.C:
			for wl := range pending {
				_ = w.reload(wl) // logged by reload; wl keeps its previous list
			}
			clear(pending)
		}
	}
}
