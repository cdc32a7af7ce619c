// Package ratelog logs repeated events as one line per kind and period,
// with the number of events since the previous line, so that a store
// outage at thousands of messages a minute gives one line a period
// instead of thousands.
package ratelog

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Log is safe for concurrent use.
type Log struct {
	log   *slog.Logger
	every time.Duration
	level slog.Level
	mu    sync.Mutex
	st    map[string]*state
}

type state struct {
	last   time.Time // when the last line of the kind was logged
	logged bool      // a line was logged in the current episode
	n      int64     // events since that line
}

// New returns a Log writing to l at level, at most one line per kind
// every period.
func New(l *slog.Logger, every time.Duration, level slog.Level) *Log {
	return &Log{log: l, every: every, level: level, st: map[string]*state{}}
}

// Note counts n events of kind at now; when kind's last line is a period
// old, or none was logged in this episode, it logs msg with attrs and
// "count", the events since the last line.
func (r *Log) Note(now time.Time, kind string, n int64, msg string, attrs ...slog.Attr) {
	r.NoteFunc(now, kind, n, msg, func() []slog.Attr { return attrs })
}

// NoteFunc is Note with the attributes computed only for a line that is
// logged: attrs may take what the events left in a buffer (a bounded list
// of what they lost) since the last line. It runs outside r's lock.
func (r *Log) NoteFunc(now time.Time, kind string, n int64, msg string, attrs func() []slog.Attr) {
	r.mu.Lock()
	st := r.st[kind]
	if st == nil {
		st = &state{}
		r.st[kind] = st
	}
	st.n += n
	if st.logged && now.Sub(st.last) < r.every {
		r.mu.Unlock()
		return
	}
	count := st.n
	st.last, st.logged, st.n = now, true, 0
	r.mu.Unlock()
	r.emit(r.level, msg, kind, count, attrs())
}

// Clear ends an episode of kind (the store answers again): when events
// were noted since kind's last line it logs msg at Info with their count,
// and the next Note logs at once. Without an episode it does nothing.
func (r *Log) Clear(kind, msg string) { r.ClearFunc(kind, msg, nil) }

// ClearFunc is Clear with attributes for its line (see NoteFunc); attrs
// may be nil.
func (r *Log) ClearFunc(kind, msg string, attrs func() []slog.Attr) {
	r.mu.Lock()
	st := r.st[kind]
	if st == nil || !st.logged {
		r.mu.Unlock()
		return
	}
	count := st.n
	delete(r.st, kind)
	r.mu.Unlock()
	var extra []slog.Attr
	if attrs != nil {
		extra = attrs()
	}
	r.emit(slog.LevelInfo, msg, kind, count, extra)
}

func (r *Log) emit(level slog.Level, msg, kind string, count int64, attrs []slog.Attr) {
	all := append([]slog.Attr{slog.String("kind", kind), slog.Int64("count", count)}, attrs...)
	r.log.LogAttrs(context.Background(), level, msg, all...)
}
