package archive

import (
	"log/slog"
	"strings"
	"sync"
)

// maxLostIDs bounds the queue IDs one "records dropped" line lists; the
// line's count covers every record.
const maxLostIDs = 100

// lostIDs collects the queue IDs of dropped records between two log
// lines, at most maxLostIDs of them, and the last reason.
type lostIDs struct {
	mu      sync.Mutex
	ids     []string
	omitted int64 // dropped records whose ID is not in ids (too many, or none known)
	reason  string
}

func (l *lostIDs) note(reason string, recs []Record) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reason = reason
	for _, r := range recs {
		if r.QueueID == "" || len(l.ids) >= maxLostIDs {
			l.omitted++
			continue
		}
		l.ids = append(l.ids, r.QueueID)
	}
}

// take returns the line's attributes and starts a new list.
func (l *lostIDs) take() []slog.Attr {
	l.mu.Lock()
	defer l.mu.Unlock()
	attrs := []slog.Attr{slog.String("reason", l.reason), slog.String("queue_ids", strings.Join(l.ids, " "))}
	if l.omitted > 0 {
		attrs = append(attrs, slog.Int64("not_listed", l.omitted))
	}
	l.ids, l.omitted = nil, 0
	return attrs
}
