package admin

import (
	"strings"
	"testing"
	"time"

	"milter91/internal/registry"
)

const (
	adv  = "example.com"
	rcpt = "user@example.net"
)

// seeded returns a fake registry holding one active consent of rcpt for
// adv given on Feb 1 and one revoked consent for example.org.
func seeded() *fakeRegistry {
	f := newFakeRegistry()
	f.consents[adv+"|"+rcpt] = registry.Consent{Advertiser: adv, Recipient: rcpt, Method: registry.MethodForm,
		Time: day(2, 1), Evidence: "https://example.com/signup/42", LastUsedAt: day(2, 1)}
	f.consents["example.org|"+rcpt] = registry.Consent{Advertiser: "example.org", Recipient: rcpt,
		Method: registry.MethodCallSMS, Time: day(1, 5), MaxPerDay: 5, RevokedAt: day(2, 10), LastUsedAt: day(2, 10)}
	return f
}

func TestListConsents(t *testing.T) {
	tests := []struct {
		name   string
		target string
		err    error
		status int
		errHas string
		filter registry.Filter
		want   []string // advertisers listed, in order
	}{
		{name: "all", target: "/v1/consents", status: 200, filter: registry.Filter{Limit: DefaultListLimit + 1},
			want: []string{"example.com", "example.org"}},
		{name: "filtered", target: "/v1/consents?advertiser=example.org&recipient=user@example.net", status: 200,
			filter: registry.Filter{Advertiser: "example.org", Recipient: rcpt, Limit: DefaultListLimit + 1}, want: []string{"example.org"}},
		{name: "no match", target: "/v1/consents?advertiser=example.net", status: 200,
			filter: registry.Filter{Advertiser: "example.net", Limit: DefaultListLimit + 1}, want: []string{}},
		{name: "bad advertiser", target: "/v1/consents?advertiser=exa%21mple.com", status: 400, errHas: `invalid character '!'`},
		{name: "bad recipient", target: "/v1/consents?recipient=nobody", status: 400, errHas: "want local@domain"},
		{name: "space in recipient", target: "/v1/consents?recipient=a%20b@example.net", status: 400, errHas: "space"},
		{name: "unknown parameter", target: "/v1/consents?rcpt=" + rcpt, status: 400, errHas: `unknown parameter "rcpt"`},
		{name: "repeated parameter", target: "/v1/consents?advertiser=example.com&advertiser=example.org", status: 400, errHas: "given 2 times"},
		{name: "store error", target: "/v1/consents", err: errStore, status: 500, errHas: "list consents: disk on fire"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := seeded()
			f.err = tt.err
			rec := do(newHandler(t, Options{Registry: f}), request{method: "GET", target: tt.target})
			expect(t, rec, tt.status, tt.errHas)
			if tt.status != 200 {
				return
			}
			if f.filter != tt.filter {
				t.Errorf("filter %+v, want %+v", f.filter, tt.filter)
			}
			got := decodeBody[page[map[string]any]](t, rec)
			var advs []string
			for _, c := range got.Items {
				advs = append(advs, c["advertiser"].(string))
			}
			if strings.Join(advs, ",") != strings.Join(tt.want, ",") || got.Items == nil || got.Next != nil {
				t.Errorf("listed %v, next %v (body %s), want %v and no next page", advs, got.Next, rec.Body, tt.want)
			}
		})
	}
}

func TestListConsentsJSONShape(t *testing.T) {
	rec := do(newHandler(t, Options{Registry: seeded()}), request{method: "GET", target: "/v1/consents"})
	expect(t, rec, 200, "")
	want := `{"items":[{"advertiser":"example.com","recipient":"user@example.net","method":"form",` +
		`"time":"2026-02-01T00:00:00Z","evidence":"https://example.com/signup/42","max_per_day":0,` +
		`"revoked_at":null,"last_used_at":"2026-02-01T00:00:00Z"},` +
		`{"advertiser":"example.org","recipient":"user@example.net","method":"call_sms",` +
		`"time":"2026-01-05T00:00:00Z","evidence":"","max_per_day":5,` +
		`"revoked_at":"2026-02-10T00:00:00Z","last_used_at":"2026-02-10T00:00:00Z"}],"next":null}`
	if got := strings.TrimSpace(rec.Body.String()); got != want {
		t.Errorf("body\n%s\nwant\n%s", got, want)
	}
}

// addConsentCase is one case of TestAddConsent.
type addConsentCase struct {
	name     string
	req      request
	setup    func(*fakeRegistry)
	status   int
	errHas   string
	want     *registry.Consent // stored for example.com|new@example.net
	nocalls  bool              // the registry must not have been called
	unchange bool              // answer says changed: false
}

// addConsentCases are the POST /v1/consents cases.
func addConsentCases() []addConsentCase {
	const ok = `{"advertiser":"example.com","recipient":"new@example.net","method":"form"}`
	return []addConsentCase{
		{name: "defaults", req: request{ctype: "application/json", body: ok}, status: 201,
			want: &registry.Consent{Advertiser: adv, Recipient: "new@example.net", Method: "form", Time: t0, LastUsedAt: t0}},
		{name: "all fields", req: request{ctype: "application/json; charset=utf-8",
			body: `{"advertiser":"example.com","recipient":"new@example.net","method":"software",
				"time":"2026-02-03T10:00:00+07:00","evidence":"ticket 7","max_per_day":10}`}, status: 201,
			want: &registry.Consent{Advertiser: adv, Recipient: "new@example.net", Method: "software",
				Time: time.Date(2026, 2, 3, 3, 0, 0, 0, time.UTC), Evidence: "ticket 7", MaxPerDay: 10, LastUsedAt: t0}},
		{name: "older than stored", req: request{ctype: "application/json",
			body: `{"advertiser":"example.com","recipient":"new@example.net","method":"form","time":"2026-01-01T00:00:00Z"}`},
			setup: func(f *fakeRegistry) {
				f.consents[adv+"|new@example.net"] = registry.Consent{Advertiser: adv, Recipient: "new@example.net", Method: "call_sms", Time: day(2, 1)}
			}, status: 200, unchange: true,
			want: &registry.Consent{Advertiser: adv, Recipient: "new@example.net", Method: "call_sms", Time: day(2, 1)}},
		{name: "future time", req: request{ctype: "application/json",
			body: `{"advertiser":"example.com","recipient":"new@example.net","method":"form","time":"2026-03-01T09:00:01Z"}`},
			status: 400, errHas: "in the future", nocalls: true},
		{name: "bad time", req: request{ctype: "application/json",
			body: `{"advertiser":"example.com","recipient":"new@example.net","method":"form","time":"yesterday"}`},
			status: 400, errHas: `time "yesterday": want RFC 3339`, nocalls: true},
		{name: "unknown field", req: request{ctype: "application/json", body: `{"advertiser":"example.com","revoked_at":"x"}`},
			status: 400, errHas: `unknown field "revoked_at"`, nocalls: true},
		{name: "wrong type", req: request{ctype: "application/json", body: `{"max_per_day":"5"}`},
			status: 400, errHas: `field "max_per_day": got JSON string, want int`, nocalls: true},
		{name: "not an object", req: request{ctype: "application/json", body: `[1]`},
			status: 400, errHas: "got JSON array, want an object", nocalls: true},
		{name: "syntax", req: request{ctype: "application/json", body: `{"advertiser":`},
			status: 400, errHas: "truncated JSON", nocalls: true},
		{name: "bad character", req: request{ctype: "application/json", body: `{x}`},
			status: 400, errHas: "invalid JSON at byte 2", nocalls: true},
		{name: "empty body", req: request{ctype: "application/json"}, status: 400, errHas: "empty, want a JSON object", nocalls: true},
		{name: "two objects", req: request{ctype: "application/json", body: ok + ok}, status: 400, errHas: "data after the JSON object", nocalls: true},
		{name: "form content type", req: request{ctype: "application/x-www-form-urlencoded", body: ok},
			status: 415, errHas: "want application/json", nocalls: true},
		{name: "no content type", req: request{body: ok}, status: 415, errHas: "want application/json", nocalls: true},
		{name: "too large", req: request{ctype: "application/json", body: bigJSON()}, status: 413, errHas: "limit of 1048576", nocalls: true},
		{name: "too large, chunked", req: request{ctype: "application/json", body: bigJSON(), chunked: true},
			status: 413, errHas: "limit of 1048576", nocalls: true},
		{name: "registry refuses", req: request{ctype: "application/json", body: ok},
			setup: func(f *fakeRegistry) {
				f.invalid = []string{`advertiser "a.example.com" is not an organizational domain`, "method \"x\": want form"}
			}, status: 400, errHas: `advertiser "a.example.com" is not an organizational domain; method "x": want form`},
		{name: "store error", req: request{ctype: "application/json", body: ok},
			setup: func(f *fakeRegistry) { f.err = errStore }, status: 500, errHas: "add consent: disk on fire"},
	}
}

func TestAddConsent(t *testing.T) {
	for _, tt := range addConsentCases() {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeRegistry()
			if tt.setup != nil {
				tt.setup(f)
			}
			tt.req.method, tt.req.target = "POST", "/v1/consents"
			rec := do(newHandler(t, Options{Registry: f}), tt.req)
			expect(t, rec, tt.status, tt.errHas)
			if tt.nocalls && f.calls != 0 {
				t.Errorf("registry called %d times for refused input", f.calls)
			}
			if tt.want == nil {
				return
			}
			if got := f.consents[adv+"|new@example.net"]; got != *tt.want {
				t.Errorf("stored %+v, want %+v", got, *tt.want)
			}
			out := decodeBody[addedConsent](t, rec)
			if out.Changed == tt.unchange || out.Consent.Method != tt.want.Method || !out.Consent.Time.Equal(tt.want.Time) {
				t.Errorf("answer %+v, want changed=%v and the stored consent %+v", out, !tt.unchange, *tt.want)
			}
		})
	}
}

// bigJSON is a consent whose evidence puts it over the 1 MiB JSON limit.
func bigJSON() string {
	return `{"advertiser":"example.com","recipient":"new@example.net","method":"form","evidence":"` +
		strings.Repeat("x", 1<<20) + `"}`
}

func TestRevokeConsent(t *testing.T) {
	tests := []struct {
		name    string
		target  string
		err     error
		status  int
		errHas  string
		revoked bool // the answer and the store say revoked
	}{
		{name: "active", target: "/v1/consents?advertiser=example.com&recipient=user@example.net", status: 200, revoked: true},
		{name: "already revoked", target: "/v1/consents?advertiser=example.org&recipient=user@example.net", status: 404,
			errHas: "no active consent of user@example.net for example.org"},
		{name: "unknown pair", target: "/v1/consents?advertiser=example.net&recipient=user@example.net", status: 404, errHas: "no active consent"},
		{name: "recipient missing", target: "/v1/consents?advertiser=example.com", status: 400, errHas: "advertiser and recipient are required"},
		{name: "no parameters", target: "/v1/consents", status: 400, errHas: "advertiser and recipient are required"},
		{name: "bad advertiser", target: "/v1/consents?advertiser=..com&recipient=user@example.net", status: 400, errHas: "empty label"},
		{name: "store error", target: "/v1/consents?advertiser=example.com&recipient=user@example.net", err: errStore,
			status: 500, errHas: "revoke consent: disk on fire"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := seeded()
			f.err = tt.err
			rec := do(newHandler(t, Options{Registry: f}), request{method: "DELETE", target: tt.target})
			expect(t, rec, tt.status, tt.errHas)
			if tt.status != 200 && tt.status != 404 {
				return
			}
			if got := decodeBody[struct{ Revoked *bool }](t, rec); got.Revoked == nil || *got.Revoked != tt.revoked {
				t.Errorf("answer %s, want revoked %v", rec.Body, tt.revoked)
			}
			if got := f.consents[adv+"|"+rcpt].RevokedAt; tt.revoked && !got.Equal(t0) {
				t.Errorf("revoked at %v, want the clock's %v", got, t0)
			}
		})
	}
}
