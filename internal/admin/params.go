package admin

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"milter91/internal/registry"
)

// dateLayout is the date-only form accepted for since and until.
const dateLayout = "2006-01-02"

// queryArgs returns r's query parameters, trimmed, refusing unknown,
// repeated and empty ones so that a typo cannot silently widen a
// selection ("rcpt=" would otherwise mean every recipient).
func queryArgs(r *http.Request, known ...string) (map[string]string, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("query: %v", err)
	}
	out := make(map[string]string, len(q))
	for _, k := range slices.Sorted(maps.Keys(q)) {
		switch {
		case !slices.Contains(known, k) && len(known) == 0:
			return nil, fmt.Errorf("unknown parameter %q: this endpoint takes none", k)
		case !slices.Contains(known, k):
			return nil, fmt.Errorf("unknown parameter %q (known: %s)", k, strings.Join(known, ", "))
		case len(q[k]) > 1:
			return nil, fmt.Errorf("parameter %q given %d times", k, len(q[k]))
		case strings.TrimSpace(q[k][0]) == "":
			return nil, fmt.Errorf("parameter %q is empty: leave it out to not filter by it", k)
		}
		out[k] = strings.TrimSpace(q[k][0])
	}
	return out, nil
}

// ParseWhen parses the value v of parameter (or flag) name: RFC 3339 (§5.6),
// or a YYYY-MM-DD date meaning that day's UTC midnight, or with endOfDay
// the next midnight, so that until=D includes day D. "" is the zero time.
func ParseWhen(name, v string, endOfDay bool) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.Parse(dateLayout, v); err == nil {
		if endOfDay {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q: want RFC 3339 (2026-01-02T15:04:05Z) or YYYY-MM-DD", name, v)
	}
	return t.UTC(), nil
}

// parseSpan parses since and until and requires since < until when both
// are given.
func parseSpan(args map[string]string) (since, until time.Time, err error) {
	if since, err = ParseWhen("since", args["since"], false); err != nil {
		return since, until, err
	}
	if until, err = ParseWhen("until", args["until"], true); err != nil {
		return since, until, err
	}
	if !since.IsZero() && !until.IsZero() && !since.Before(until) {
		return since, until, fmt.Errorf("since %s is not before until %s", since.Format(time.RFC3339), until.Format(time.RFC3339))
	}
	return since, until, nil
}

// Bounds of a searchable time: the archive stores Unix milliseconds and
// JSON times have four-digit years.
var (
	minSpanTime = time.Unix(0, 0).UTC()
	maxSpanTime = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
)

// CheckSpan refuses a period outside 1970-01-01 .. 9999-12-31 (UTC), which
// the archive cannot hold.
func CheckSpan(since, until time.Time) error {
	if since.Before(minSpanTime) {
		return fmt.Errorf("since %s is before 1970-01-01", since.Format(time.RFC3339))
	}
	if until.After(maxSpanTime) {
		return fmt.Errorf("until %s is after 9999-12-31T00:00:00Z (a date includes its whole day: the last one is 9999-12-30)",
			until.Format(time.RFC3339))
	}
	return nil
}

// requiredSpan is parseSpan with since required and until defaulting to
// now (the answer's clock).
func requiredSpan(args map[string]string, now time.Time) (since, until time.Time, err error) {
	if args["since"] == "" {
		return since, until, errors.New("parameter since is required")
	}
	if since, until, err = parseSpan(args); err != nil {
		return since, until, err
	}
	if until.IsZero() {
		until = now
		if !since.Before(until) {
			return since, until, fmt.Errorf("since %s is not in the past", args["since"])
		}
	}
	return since, until, CheckSpan(since, until)
}

// filterArgs builds a registry.Filter from the advertiser and recipient
// parameters, checked as checkDomain and checkAddress do.
func filterArgs(args map[string]string) (registry.Filter, error) {
	f := registry.Filter{Advertiser: args["advertiser"], Recipient: args["recipient"]}
	if f.Advertiser != "" {
		if err := checkDomain(f.Advertiser); err != nil {
			return f, fmt.Errorf("advertiser: %w", err)
		}
	}
	if f.Recipient != "" {
		if err := checkAddress(f.Recipient); err != nil {
			return f, fmt.Errorf("recipient: %w", err)
		}
	}
	return f, nil
}

// checkDomain refuses what the registry's domain normalisation refuses
// (characters other than letters, digits, '.', '-', '_'; empty labels),
// so that such input is answered 400 and not as a store error.
func checkDomain(d string) error {
	d = strings.TrimSuffix(d, ".")
	if d == "" {
		return errors.New("empty domain")
	}
	for _, r := range d {
		if r != '.' && r != '-' && r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return fmt.Errorf("domain %q: invalid character %q", d, r)
		}
	}
	if strings.HasPrefix(d, ".") || strings.Contains(d, "..") {
		return fmt.Errorf("domain %q: empty label", d)
	}
	return nil
}

// checkAddress refuses what the registry's address normalisation
// refuses: no local@domain shape, spaces or control characters, a bad
// domain. One pair of angle brackets is allowed.
func checkAddress(a string) error {
	if strings.HasPrefix(a, "<") && strings.HasSuffix(a, ">") {
		a = a[1 : len(a)-1]
	}
	i := strings.LastIndexByte(a, '@')
	if i <= 0 || i == len(a)-1 {
		return fmt.Errorf("address %q: want local@domain", a)
	}
	if strings.ContainsFunc(a, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return fmt.Errorf("address %q: contains space or control character", a)
	}
	return checkDomain(a[i+1:])
}

// recordTime parses a record's time (RFC 3339; "" means now) and refuses
// a time after now, as the registry's import does.
func recordTime(v string, now time.Time) (time.Time, error) {
	if v == "" {
		return now, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return t, fmt.Errorf("time %q: want RFC 3339, e.g. 2026-01-02T15:04:05Z", v)
	}
	if t.After(now) {
		return t, fmt.Errorf("time %s is in the future", v)
	}
	return t.UTC(), nil
}
