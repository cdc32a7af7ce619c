package admin

import (
	"strings"
	"testing"
)

// TestRouting covers what no endpoint owns: unknown paths, wrong
// methods and features left unconfigured.
func TestRouting(t *testing.T) {
	tests := []struct {
		name   string
		opts   Options
		method string
		target string
		status int
		errHas string
		allow  string
	}{
		{name: "unknown path", method: "GET", target: "/v1/nothing", status: 404, errHas: "no such endpoint: /v1/nothing"},
		{name: "root", method: "GET", target: "/", status: 404, errHas: "no such endpoint"},
		{name: "registry off", method: "GET", target: "/v1/consents", status: 404, errHas: "the consent/refusal registry is not configured"},
		{name: "registry off, import", method: "PUT", target: "/v1/refusals/import", status: 404, errHas: "registry is not configured"},
		{name: "headers off", method: "GET", target: "/v1/headers", status: 404, errHas: "the header archive is not configured"},
		{name: "report off", method: "GET", target: "/v1/report?since=2026-01-01", status: 404, errHas: "the statistics report is not configured"},
		{name: "reload off", method: "POST", target: "/v1/reload", status: 404, errHas: "reload is not configured"},
		{name: "consents PATCH", opts: Options{Registry: newFakeRegistry()}, method: "PATCH", target: "/v1/consents",
			status: 405, errHas: "method PATCH not allowed", allow: "GET, HEAD, POST, DELETE"},
		{name: "export POST", opts: Options{Registry: newFakeRegistry()}, method: "POST", target: "/v1/consents/export",
			status: 405, errHas: "not allowed", allow: "GET, HEAD"},
		{name: "health DELETE", method: "DELETE", target: "/v1/health", status: 405, errHas: "not allowed", allow: "GET, HEAD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(newHandler(t, tt.opts), request{method: tt.method, target: tt.target})
			expect(t, rec, tt.status, tt.errHas)
			if got := rec.Header().Get("Allow"); got != tt.allow {
				t.Errorf("Allow %q, want %q", got, tt.allow)
			}
			if rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("headers %v lack no-store/nosniff", rec.Header())
			}
		})
	}
}

func TestNewNeedsToken(t *testing.T) {
	tok := []byte(testToken)
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{}, "no token"},
		{Options{Token: []byte{}}, "no token"},
		{Options{Tokens: []NamedToken{{Name: "alice"}}}, `operator "alice": empty token`},
		{Options{Tokens: []NamedToken{{Name: "al ice", Token: tok}}}, "operator name"},
		{Options{Token: tok, Tokens: []NamedToken{{Name: DefaultOperator, Token: []byte("other-token-0123456789")}}}, "named twice"},
		{Options{Tokens: []NamedToken{{Name: "alice", Token: tok}, {Name: "bob", Token: tok}}}, "token of another operator"},
	} {
		if h, err := New(tc.opts); err == nil || h != nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) = %v, %v; want %q", tc.opts, h, err, tc.want)
		}
	}
}
