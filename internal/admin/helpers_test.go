package admin

import (
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"milter91/internal/archive"
	"milter91/internal/registry"
)

// testToken is the bearer token of every test handler.
const testToken = "test-token-0123456789"

// t0 is the injected clock of every test handler.
var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// errStore is the failure the fakes inject.
var errStore = errors.New("disk on fire")

// fakeRegistry is an in-memory Registry. It stores what it is given
// without normalising; imports parse the CSV the handlers write.
type fakeRegistry struct {
	mu        sync.Mutex
	consents  map[string]registry.Consent // key advertiser "|" recipient
	refusals  map[string]registry.Refusal // key advertiser "|" recipient "|" scope
	err       error                       // every method fails with it
	problems  []registry.Problem          // imports fail with an *ImportError
	truncated bool                        // and its Truncated
	invalid   []string                    // Add methods fail with an *InvalidError of these reasons
	drain     bool                        // imports read the whole body and fail with the read error
	partial   bool                        // exports write a line before failing with err
	calls     int                         // methods called
	filter    registry.Filter             // of the last List call
	now       time.Time                   // of the last import or revocation
}

func newFakeRegistry() *fakeRegistry {
	return &fakeRegistry{consents: map[string]registry.Consent{}, refusals: map[string]registry.Refusal{}}
}

// begin counts a call and returns the injected error.
func (f *fakeRegistry) begin() error {
	f.mu.Lock()
	f.calls++
	return f.err
}

// readRows reads a CSV with a header into one map per line.
func (f *fakeRegistry) readRows(r io.Reader) ([]map[string]string, error) {
	if f.drain {
		_, err := io.Copy(io.Discard, r)
		return nil, fmt.Errorf("fake import: %w", err)
	}
	if f.problems != nil {
		return nil, &registry.ImportError{Problems: f.problems, Truncated: f.truncated}
	}
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil || len(recs) == 0 {
		return nil, fmt.Errorf("fake import: %v, %d records", err, len(recs))
	}
	var rows []map[string]string
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, name := range recs[0] {
			row[name] = rec[i]
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func csvTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

func (f *fakeRegistry) ImportConsents(_ context.Context, r io.Reader, now time.Time) (int, error) {
	if err := f.begin(); err != nil {
		f.mu.Unlock()
		return 0, err
	}
	defer f.mu.Unlock()
	f.now = now
	rows, err := f.readRows(r)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, row := range rows {
		maxPerDay, _ := strconv.Atoi(row["max_per_day"])
		c := registry.Consent{Advertiser: row["advertiser"], Recipient: row["recipient"], Method: row["method"],
			Time: csvTime(row["time"]), Evidence: row["evidence"], MaxPerDay: maxPerDay,
			RevokedAt: csvTime(row["revoked_at"]), LastUsedAt: csvTime(row["last_used_at"])}
		key := c.Advertiser + "|" + c.Recipient
		if old, ok := f.consents[key]; ok && old.Time.After(c.Time) {
			continue // like the registry: an older consent is ignored
		}
		f.consents[key] = c
		n++
	}
	return n, nil
}

func (f *fakeRegistry) ImportRefusals(_ context.Context, r io.Reader, now time.Time) (int, error) {
	if err := f.begin(); err != nil {
		f.mu.Unlock()
		return 0, err
	}
	defer f.mu.Unlock()
	f.now = now
	rows, err := f.readRows(r)
	if err != nil {
		return 0, err
	}
	for _, row := range rows {
		rf := registry.Refusal{Advertiser: row["advertiser"], Recipient: row["recipient"], Scope: row["scope"],
			Time: csvTime(row["time"]), Channel: row["channel"], Evidence: row["evidence"],
			LastUsedAt: csvTime(row["last_used_at"])}
		f.refusals[rf.Advertiser+"|"+rf.Recipient+"|"+rf.Scope] = rf
	}
	return len(rows), nil
}

func (f *fakeRegistry) AddConsent(_ context.Context, c registry.Consent) (bool, error) {
	err := f.begin()
	defer f.mu.Unlock()
	if err == nil && f.invalid != nil {
		err = fmt.Errorf("registry: consent: %w", &registry.InvalidError{Reasons: f.invalid})
	}
	if err != nil {
		return false, err
	}
	key := c.Advertiser + "|" + c.Recipient
	if old, ok := f.consents[key]; ok && old.Time.After(c.Time) {
		return false, nil // like the registry: an older consent is ignored
	}
	f.consents[key] = c
	return true, nil
}

func (f *fakeRegistry) AddRefusal(_ context.Context, r registry.Refusal) error {
	err := f.begin()
	defer f.mu.Unlock()
	if err == nil && f.invalid != nil {
		err = fmt.Errorf("registry: refusal: %w", &registry.InvalidError{Reasons: f.invalid})
	}
	if err == nil {
		f.refusals[r.Advertiser+"|"+r.Recipient+"|"+r.Scope] = r
	}
	return err
}

func (f *fakeRegistry) RevokeConsent(_ context.Context, advertiser, rcpt string, now time.Time) (bool, error) {
	err := f.begin()
	defer f.mu.Unlock()
	if err != nil {
		return false, err
	}
	f.now = now
	c, ok := f.consents[advertiser+"|"+rcpt]
	if !ok || !c.RevokedAt.IsZero() {
		return false, nil
	}
	c.RevokedAt = now
	f.consents[advertiser+"|"+rcpt] = c
	return true, nil
}

// matches reports whether a record of key k passes f, its After
// included.
func matches(f registry.Filter, k registry.Key) bool {
	after := f.After == (registry.Key{}) || cmp.Or(strings.Compare(k.Advertiser, f.After.Advertiser),
		strings.Compare(k.Recipient, f.After.Recipient), strings.Compare(k.Scope, f.After.Scope)) > 0
	return (f.Advertiser == "" || f.Advertiser == k.Advertiser) && (f.Recipient == "" || f.Recipient == k.Recipient) && after
}

// list returns the items in sorted that f selects, at most f.Limit.
func list[T interface{ Key() registry.Key }](f registry.Filter, sorted []T) []T {
	var out []T
	for _, it := range sorted {
		if matches(f, it.Key()) && (f.Limit == 0 || len(out) < f.Limit) {
			out = append(out, it)
		}
	}
	return out
}

// sortedValues returns m's values in key order.
func sortedValues[T any](m map[string]T) []T {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]T, 0, len(m))
	for _, k := range keys {
		out = append(out, m[k])
	}
	return out
}

func (f *fakeRegistry) ListConsents(_ context.Context, flt registry.Filter) ([]registry.Consent, error) {
	err := f.begin()
	defer f.mu.Unlock()
	f.filter = flt
	return list(flt, sortedValues(f.consents)), err
}

func (f *fakeRegistry) ListRefusals(_ context.Context, flt registry.Filter) ([]registry.Refusal, error) {
	err := f.begin()
	defer f.mu.Unlock()
	f.filter = flt
	return list(flt, sortedValues(f.refusals)), err
}

// each yields the items in order, as registry.EachConsent does.
func each[T any](items []T) func(func(T) error) error {
	return func(fn func(T) error) error {
		for _, it := range items {
			if err := fn(it); err != nil {
				return err
			}
		}
		return nil
	}
}

// export writes the header line, then fails or writes the records.
func (f *fakeRegistry) export(w io.Writer, write func() error) error {
	err := f.begin()
	defer f.mu.Unlock()
	if err != nil && !f.partial {
		return err
	}
	if err != nil {
		io.WriteString(w, "advertiser,recipient\n")
		return err
	}
	return write()
}

func (f *fakeRegistry) ExportConsents(_ context.Context, w io.Writer) error {
	return f.export(w, func() error { return registry.StreamConsents(w, each(sortedValues(f.consents))) })
}

func (f *fakeRegistry) ExportRefusals(_ context.Context, w io.Writer) error {
	return f.export(w, func() error { return registry.StreamRefusals(w, each(sortedValues(f.refusals))) })
}

// fakeSearcher is an in-memory HeaderSearcher that keeps the last query.
type fakeSearcher struct {
	mu   sync.Mutex
	recs []archive.Record
	err  error
	got  HeaderQuery
	n    int // calls
}

func (s *fakeSearcher) SearchHeaders(_ context.Context, q HeaderQuery) ([]archive.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got, s.n = q, s.n+1
	return s.recs, s.err
}

// newHandler builds the handler for opts with the test token and clock.
func newHandler(t *testing.T, opts Options) http.Handler {
	t.Helper()
	opts.Token = []byte(testToken)
	if opts.Now == nil {
		opts.Now = func() time.Time { return t0 }
	}
	h, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return h
}

// request is one call of a test table.
type request struct {
	method, target string
	ctype, body    string
	chunked        bool      // no Content-Length: the body limit must catch it while reading
	length         int64     // declared Content-Length, when > 0
	stream         io.Reader // the body instead of body, without Content-Length
	token          string    // instead of testToken
}

// do serves req on h with the test token, or req.token.
func do(h http.Handler, req request) *httptest.ResponseRecorder {
	var body io.Reader = strings.NewReader(req.body)
	if req.stream != nil {
		body = req.stream
	}
	r := httptest.NewRequest(req.method, req.target, body)
	token := testToken
	if req.token != "" {
		token = req.token
	}
	r.Header.Set("Authorization", "Bearer "+token)
	if req.ctype != "" {
		r.Header.Set("Content-Type", req.ctype)
	}
	if req.chunked || req.stream != nil {
		r.ContentLength = -1
	}
	if req.length > 0 {
		r.ContentLength = req.length
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// expect checks the status and, when errHas is set, that the answer is
// a JSON error containing it.
func expect(t *testing.T, rec *httptest.ResponseRecorder, status int, errHas string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	if errHas == "" {
		return
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("error Content-Type %q, want application/json", ct)
	}
	var e struct{ Error string }
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
		t.Fatalf("error body %q: %v", rec.Body, err)
	}
	if !strings.Contains(e.Error, errHas) {
		t.Errorf("error %q, want it to contain %q", e.Error, errHas)
	}
}

// decodeBody unmarshals the answer into a T.
func decodeBody[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("body %q: %v", rec.Body, err)
	}
	return v
}

// day returns the UTC midnight of 2026-m-d.
func day(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
