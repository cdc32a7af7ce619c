package report

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"milter91/internal/archive"
	"milter91/internal/txn"
)

// DefaultTop is the length of the top lists when Build gets top <= 0.
const DefaultTop = 10

// CheckPeriod refuses a period longer than MaxDays, which Build would cut
// (for callers that take the period from a user).
func CheckPeriod(since, until time.Time) error {
	if until.Sub(since) > MaxDays*day {
		return fmt.Errorf("a report covers at most %d days; %s to %s is longer", MaxDays,
			since.Format("2006-01-02"), until.Format("2006-01-02"))
	}
	return nil
}

// MaxDays bounds the period Build covers (about ten years): a longer one is
// cut to its last MaxDays days, so that a zero or far-off Since cannot make
// Build allocate one Day per day since year 1.
const MaxDays = 3660

const day = 24 * time.Hour

// Directions listed in every report, zeros included (archive.Record).
var knownDirections = []string{"inbound", "outbound"}

// Build computes the Art. 10.7 statistics of the period [since, until) from
// the archive's daily counts, in any order. A count is in the period when
// its day, c.Day truncated to its UTC midnight, is in [since, until); counts
// outside, with N <= 0 or with an unknown dimension are ignored. The days
// listed are the UTC midnights in [since, until) (none when until <= since;
// at most MaxDays, the latest). top <= 0 means DefaultTop.
func Build(counts []archive.Count, since, until time.Time, top int) Report {
	if top <= 0 {
		top = DefaultTop
	}
	since, until = since.UTC(), until.UTC()
	if until.Sub(since) > MaxDays*day {
		since = until.Add(-MaxDays * day)
	}
	t := newTally(firstMidnight(since), until)
	for _, c := range counts {
		t.add(c)
	}
	r := t.report(since, until, top)
	r.UserReports.ByType = []Item{}
	return r
}

// firstMidnight is the first UTC midnight at or after t (t in UTC).
func firstMidnight(t time.Time) time.Time {
	d := t.Truncate(day)
	if d.Before(t) {
		d = d.Add(day)
	}
	return d
}

// tally accumulates the counts of one period, keyed as they arrive.
type tally struct {
	first time.Time
	days  int
	// actions is per day index, then action; dirs is per direction, then
	// action.
	actions     []map[string]int64
	dirs        map[string]map[string]int64
	rules       map[string]int64
	articles    map[string]int64
	advertisers map[string]int64
	blockedIPs  map[string]int64
	throttled   map[string]int64
	would       map[string]int64
	requests    map[string]int64
}

func newTally(first, until time.Time) *tally {
	n := 0
	if until.After(first) {
		n = int((until.Sub(first) + day - 1) / day)
	}
	t := &tally{
		first: first, days: n,
		actions: make([]map[string]int64, n), dirs: map[string]map[string]int64{},
		rules: map[string]int64{}, articles: map[string]int64{},
		advertisers: map[string]int64{}, blockedIPs: map[string]int64{}, throttled: map[string]int64{}, would: map[string]int64{},
		requests: map[string]int64{},
	}
	for _, d := range knownDirections {
		t.dirs[d] = map[string]int64{}
	}
	return t
}

// add counts c when it is in the period.
func (t *tally) add(c archive.Count) {
	if c.N <= 0 {
		return
	}
	d := c.Day.UTC().Truncate(day)
	if d.Before(t.first) {
		return
	}
	i := int(d.Sub(t.first) / day)
	if i >= t.days {
		return
	}
	switch c.Dimension {
	case archive.DimAction:
		if t.actions[i] == nil {
			t.actions[i] = map[string]int64{}
		}
		t.actions[i][c.Key] += c.N
		if t.dirs[c.Direction] == nil {
			t.dirs[c.Direction] = map[string]int64{}
		}
		t.dirs[c.Direction][c.Key] += c.N
	case archive.DimRule:
		t.rules[c.Key] += c.N
	case archive.DimArticle:
		t.articles[c.Key] += c.N
	case archive.DimAdvertiser:
		t.advertisers[c.Key] += c.N
	case archive.DimBlockedIP:
		t.blockedIPs[c.Key] += c.N
	case archive.DimThrottled:
		t.throttled[c.Key] += c.N
	case archive.DimWould:
		t.would[c.Key] += c.N
	case archive.DimRequest:
		t.requests[c.Key] += c.N
	}
}

// report assembles the Report from the tally.
func (t *tally) report(since, until time.Time, top int) Report {
	actions := t.actionOrder()
	r := Report{
		Since: since, Until: until, Top: top,
		Days:        make([]Day, t.days),
		Rules:       sortedItems(t.rules),
		Articles:    sortedItems(t.articles),
		Advertisers: sortedItems(t.advertisers),
		BlockedIPs:  len(t.blockedIPs),
		Observed:    sortedItems(t.would),
		Requests:    sortedItems(t.requests),
	}
	for i := range r.Articles {
		r.Articles[i].Name = articleName(r.Articles[i].Key)
	}
	r.TopAdvertisers = slices.Clone(r.Advertisers[:min(top, len(r.Advertisers))])
	ips := sortedItems(t.blockedIPs)
	r.TopBlockedIPs = slices.Clone(ips[:min(top, len(ips))])
	held := sortedItems(t.throttled)
	r.TopThrottled, r.Throttled = slices.Clone(held[:min(top, len(held))]), len(held)
	all := map[string]int64{}
	for i, m := range t.actions {
		items, total := split(actions, m)
		r.Days[i] = Day{Day: t.first.Add(time.Duration(i) * day), Total: total, ByAction: items}
		for k, n := range m {
			all[k] += n
		}
	}
	r.Totals.ByAction, r.Totals.Messages = split(actions, all)
	for _, dir := range directionOrder(t.dirs) {
		items, total := split(actions, t.dirs[dir])
		r.Totals.ByDirection = append(r.Totals.ByDirection,
			DirectionTotal{Direction: dir, Messages: total, ByAction: items})
	}
	return r
}

// actionOrder is the five actions by severity, then the other actions seen,
// by name.
func (t *tally) actionOrder() []string {
	order := make([]string, 0, int(txn.ActionReject)+1)
	known := map[string]bool{}
	for a := txn.ActionAccept; a <= txn.ActionReject; a++ {
		order = append(order, a.String())
		known[a.String()] = true
	}
	var other []string
	for _, m := range t.dirs {
		for k := range m {
			if !known[k] {
				known[k] = true
				other = append(other, k)
			}
		}
	}
	slices.Sort(other)
	return append(order, other...)
}

// directionOrder is inbound, outbound, then the other directions by name.
func directionOrder(dirs map[string]map[string]int64) []string {
	var other []string
	for d := range dirs {
		if !slices.Contains(knownDirections, d) {
			other = append(other, d)
		}
	}
	slices.Sort(other)
	return append(slices.Clone(knownDirections), other...)
}

// split lists m's count of each key of order (zeros included) with their sum.
func split(order []string, m map[string]int64) ([]Item, int64) {
	items := make([]Item, len(order))
	var total int64
	for i, k := range order {
		items[i] = Item{Key: k, N: m[k]}
		total += m[k]
	}
	return items, total
}

// sortedItems lists m by count, largest first, then by key.
func sortedItems(m map[string]int64) []Item {
	items := make([]Item, 0, len(m))
	for k, n := range m {
		items = append(items, Item{Key: k, N: n})
	}
	slices.SortFunc(items, func(a, b Item) int {
		if c := cmp.Compare(b.N, a.N); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	return items
}
