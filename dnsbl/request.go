package dnsbl

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Request is the authority's blocking request behind a list entry
// (Decree 91/2020 Art. 6.3, 9.4): its reference (the document number)
// and the date it was made.
type Request struct {
	Reference string
	Date      time.Time // UTC midnight of the request's day
}

// maxReference bounds a request reference in bytes.
const maxReference = 200

// isAuthorityHeader reports whether the CSV header row line names the
// columns of an authority list: entry, then "reference", then "date"
// (case-insensitive): "entry,reference,date".
func isAuthorityHeader(line string) bool {
	cols := strings.Split(line, ",")
	return len(cols) >= 3 && strings.EqualFold(strings.TrimSpace(cols[1]), "reference") &&
		strings.EqualFold(strings.TrimSpace(cols[2]), "date")
}

// addRequest reads the reference and date columns of the record line for
// entry key: both are required in an authority list, the date as
// YYYY-MM-DD. A later record for the same entry replaces the earlier.
func (b *listBuilder) addRequest(key, line string) error {
	line, _, _ = strings.Cut(line, "#")
	cols := strings.Split(line, ",")
	if len(cols) < 3 {
		return errors.New("an authority list needs the reference and date columns")
	}
	ref := strings.TrimSpace(strings.Trim(strings.TrimSpace(cols[1]), `"`))
	date := strings.TrimSpace(strings.Trim(strings.TrimSpace(cols[2]), `"`))
	switch {
	case ref == "":
		return errors.New("empty request reference")
	case len(ref) > maxReference || !utf8.ValidString(ref) || strings.ContainsFunc(ref, func(r rune) bool { return r < ' ' }):
		return fmt.Errorf("request reference: want UTF-8 text of at most %d bytes", maxReference)
	}
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return fmt.Errorf("request date %q: want YYYY-MM-DD", date)
	}
	if b.requests == nil {
		b.requests = map[string]Request{}
	}
	b.requests[key] = Request{Reference: ref, Date: d}
	return nil
}

// Request returns the authority's request behind entry (as the Match
// methods return it); ok is false for a list without requests or an
// entry without one. An entry inside a broader one is matched as the
// broader one, whose request is given.
func (l *List) Request(entry string) (r Request, ok bool) {
	if l == nil || l.requests == nil {
		return Request{}, false
	}
	r, ok = l.requests[entry]
	return r, ok
}
