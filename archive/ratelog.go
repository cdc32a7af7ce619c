package archive

import (
	"log/slog"
	"sync"
	"time"
)

// logEvery is the least time between two log lines of one kind.
const logEvery = time.Minute

// rateLog logs at most one line per kind per logEvery, with the number of
// events of that kind since its previous line, so that a database outage
// at thousands of messages a minute gives one line a minute.
type rateLog struct {
	log *slog.Logger
	mu  sync.Mutex
	st  map[string]*kindState
}

type kindState struct {
	last   time.Time // when the last line was logged
	logged bool
	n      int64 // events since that line
}

func newRateLog(l *slog.Logger) *rateLog {
	return &rateLog{log: l, st: map[string]*kindState{}}
}

// note counts n events of kind at now and, when the kind's last line is
// logEvery old (or there is none), logs msg with the count and err.
func (r *rateLog) note(now time.Time, kind string, n int64, msg string, err error) {
	r.mu.Lock()
	st := r.st[kind]
	if st == nil {
		st = &kindState{}
		r.st[kind] = st
	}
	st.n += n
	if st.logged && now.Sub(st.last) < logEvery {
		r.mu.Unlock()
		return
	}
	count := st.n
	st.last, st.logged, st.n = now, true, 0
	r.mu.Unlock()
	attrs := []any{slog.String("kind", kind), slog.Int64("count", count)}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	r.log.Warn(msg, attrs...)
}
