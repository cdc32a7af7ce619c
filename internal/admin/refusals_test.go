package admin

import (
	"strings"
	"testing"
	"time"

	"milter91/internal/registry"
)

func TestListRefusals(t *testing.T) {
	seed := func() *fakeRegistry {
		f := newFakeRegistry()
		f.refusals[adv+"|"+rcpt+"|all"] = registry.Refusal{Advertiser: adv, Recipient: rcpt, Scope: "all",
			Time: day(2, 1), Channel: "web", LastUsedAt: day(2, 2)}
		f.refusals["example.org|"+rcpt+"|news"] = registry.Refusal{Advertiser: "example.org", Recipient: rcpt, Scope: "news",
			Time: day(2, 3), Channel: "email", Evidence: "msg 12", LastUsedAt: day(2, 3)}
		return f
	}
	tests := []struct {
		name   string
		target string
		err    error
		status int
		errHas string
		want   string // exact body
	}{
		{name: "filtered", target: "/v1/refusals?advertiser=example.org", status: 200,
			want: `{"items":[{"advertiser":"example.org","recipient":"user@example.net","scope":"news","time":"2026-02-03T00:00:00Z",` +
				`"channel":"email","evidence":"msg 12","last_used_at":"2026-02-03T00:00:00Z"}],"next":null}`},
		{name: "none", target: "/v1/refusals?recipient=other@example.net", status: 200, want: `{"items":[],"next":null}`},
		{name: "unknown parameter", target: "/v1/refusals?scope=all", status: 400,
			errHas: `unknown parameter "scope" (known: advertiser, recipient, limit, cursor)`},
		{name: "bad recipient", target: "/v1/refusals?recipient=@example.net", status: 400, errHas: "want local@domain"},
		{name: "store error", target: "/v1/refusals", err: errStore, status: 500, errHas: "list refusals: disk on fire"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := seed()
			f.err = tt.err
			rec := do(newHandler(t, Options{Registry: f}), request{method: "GET", target: tt.target})
			expect(t, rec, tt.status, tt.errHas)
			if got := strings.TrimSpace(rec.Body.String()); tt.want != "" && got != tt.want {
				t.Errorf("body\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestAddRefusal(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		setup  func(*fakeRegistry)
		status int
		errHas string
		key    string
		want   registry.Refusal
	}{
		{name: "defaults", body: `{"advertiser":"example.com","recipient":"user@example.net"}`, status: 201,
			key:  adv + "|" + rcpt + "|all",
			want: registry.Refusal{Advertiser: adv, Recipient: rcpt, Scope: "all", Time: t0, Channel: "api", LastUsedAt: t0}},
		{name: "all fields", body: `{"advertiser":"example.com","recipient":"user@example.net","scope":"news",
			"time":"2026-02-28T23:00:00Z","channel":"phone","evidence":"call 0800"}`, status: 201,
			key: adv + "|" + rcpt + "|news",
			want: registry.Refusal{Advertiser: adv, Recipient: rcpt, Scope: "news", Time: time.Date(2026, 2, 28, 23, 0, 0, 0, time.UTC),
				Channel: "phone", Evidence: "call 0800", LastUsedAt: t0}},
		{name: "future time", body: `{"advertiser":"example.com","recipient":"user@example.net","time":"2027-01-01T00:00:00Z"}`,
			status: 400, errHas: "in the future"},
		{name: "unknown field", body: `{"advertiser":"example.com","product":"news"}`, status: 400, errHas: `unknown field "product"`},
		{name: "registry refuses", body: `{"advertiser":"example.com","recipient":"user@example.net","channel":"fax"}`,
			setup:  func(f *fakeRegistry) { f.invalid = []string{`channel "fax": want web`} },
			status: 400, errHas: `channel "fax": want web`},
		{name: "store error", body: `{"advertiser":"example.com","recipient":"user@example.net"}`,
			setup: func(f *fakeRegistry) { f.err = errStore }, status: 500, errHas: "add refusal: disk on fire"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeRegistry()
			if tt.setup != nil {
				tt.setup(f)
			}
			rec := do(newHandler(t, Options{Registry: f}), request{method: "POST", target: "/v1/refusals", ctype: "application/json", body: tt.body})
			expect(t, rec, tt.status, tt.errHas)
			if tt.status != 201 {
				if len(f.refusals) != 0 {
					t.Errorf("refused input stored %v", f.refusals)
				}
				return
			}
			if got := f.refusals[tt.key]; got != tt.want {
				t.Errorf("stored %+v, want %+v", got, tt.want)
			}
			out := decodeBody[addedRefusal](t, rec)
			if !out.Changed || len(out.Refusals) != 1 || out.Refusals[0].Scope != tt.want.Scope || out.Refusals[0].Channel != tt.want.Channel {
				t.Errorf("answer %s, want changed and the stored refusal", rec.Body)
			}
		})
	}
}

func TestRefusalsHaveNoDelete(t *testing.T) {
	f := newFakeRegistry()
	rec := do(newHandler(t, Options{Registry: f}), request{method: "DELETE", target: "/v1/refusals?advertiser=example.com&recipient=user@example.net"})
	expect(t, rec, 405, "method DELETE not allowed on /v1/refusals")
	if got := rec.Header().Get("Allow"); got != "GET, HEAD, POST" {
		t.Errorf("Allow %q, want GET, HEAD, POST", got)
	}
	if f.calls != 0 {
		t.Errorf("registry called %d times", f.calls)
	}
}
