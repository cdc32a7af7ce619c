package dmarc

import (
	"context"
	"strings"

	"milter91/internal/resolver"
)

// MaxWalkQueries is the most DNS queries one tree walk sends (RFC 9989
// §4.10: "Author Domains with more than eight labels do not result in
// more than eight DNS queries").
const MaxWalkQueries = 8

// answer is what _dmarc.<domain> holds.
type answer struct {
	rec  *Record // the single DMARC record, nil when none
	temp error   // a temporary DNS failure; rec is then nil
	note string  // why there is no record (several records), for Detail
}

// walker runs the lookups of one evaluation, each name asked once.
type walker struct {
	ctx     context.Context
	r       resolver.Resolver
	answers map[string]answer
}

func newWalker(ctx context.Context, r resolver.Resolver) *walker {
	return &walker{ctx: ctx, r: r, answers: map[string]answer{}}
}

// query returns the DMARC record at _dmarc.<domain> (RFC 9989 §4.10 steps
// 1-2 and 5-6): TXT strings not starting with v=DMARC1 are discarded,
// and several DMARC records count as none.
func (w *walker) query(domain string) answer {
	if a, ok := w.answers[domain]; ok {
		return a
	}
	var a answer
	txts, err := w.r.LookupTXT(w.ctx, "_dmarc."+domain)
	switch {
	case err != nil && !resolver.IsNotFound(err):
		a.temp = err
	case err == nil:
		var recs []string
		for _, t := range txts {
			if IsRecord(t) {
				recs = append(recs, t)
			}
		}
		if len(recs) == 1 {
			a.rec, _ = Parse(recs[0])
		} else if len(recs) > 1 {
			a.note = "several DMARC records at _dmarc." + domain + " (all discarded)"
		}
	}
	w.answers[domain] = a
	return a
}

// found is one record met by a walk.
type found struct {
	domain string
	rec    *Record
}

// walk runs the DNS tree walk of RFC 9989 §4.10 from domain (lower-case
// A-labels, no final dot): the domain, then, for 8 labels or more, the
// name shortened to 7 labels, then one label less each time, stopping
// after a record with psd=y or psd=n. It returns the records found, the
// longest name first. start false skips the query of domain itself (the
// policy discovery walk starts at the parent, §4.10.1). The error is the
// first temporary DNS failure: the walk's outcome is then unknown.
func (w *walker) walk(domain string, start bool) ([]found, error) {
	labels := strings.Split(domain, ".")
	var out []found
	for i, n := 0, 0; len(labels) > 0 && n < MaxWalkQueries; i, n = i+1, n+1 {
		if i > 0 || !start {
			if len(labels) >= 8 { // only the first removal: 7 labels remain
				labels = labels[len(labels)-7:]
			} else {
				labels = labels[1:]
			}
			if len(labels) == 0 {
				break
			}
		}
		name := strings.Join(labels, ".")
		a := w.query(name)
		if a.temp != nil {
			return nil, a.temp
		}
		if a.rec != nil {
			out = append(out, found{name, a.rec})
			if a.rec.PSD == 'y' || a.rec.PSD == 'n' {
				break
			}
		}
	}
	return out, nil
}

// orgFrom selects the Organizational Domain of start from the records a
// walk from start found (RFC 9989 §4.10.2): the first, longest first,
// with psd=n; else the name one label below the first record other than
// start's with psd=y; else the name with the fewest labels that has a
// record; else start itself.
func orgFrom(start string, recs []found) string {
	for _, f := range recs {
		if f.rec.PSD == 'n' {
			return f.domain
		}
		if f.rec.PSD == 'y' && f.domain != start {
			return oneBelow(start, f.domain)
		}
	}
	if len(recs) > 0 {
		return recs[len(recs)-1].domain
	}
	return start
}

// oneBelow returns the name one label below parent on the way to domain
// ("a.mail.example.com", "example.com" → "mail.example.com").
func oneBelow(domain, parent string) string {
	rest := strings.TrimSuffix(domain, "."+parent)
	if i := strings.LastIndexByte(rest, '.'); i >= 0 {
		rest = rest[i+1:]
	}
	return rest + "." + parent
}

// orgDomain returns the Organizational Domain of domain by a tree walk
// from it (RFC 9989 §4.10.2), or by psl when set (RFC 7489 §3.2: the
// registrable domain, or domain itself when psl has none).
func (w *walker) orgDomain(domain string, psl func(string) string) (string, error) {
	if psl != nil {
		if o := psl(domain); o != "" {
			return o, nil
		}
		return domain, nil
	}
	recs, err := w.walk(domain, true)
	if err != nil {
		return "", err
	}
	return orgFrom(domain, recs), nil
}
