package admin

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestHealth(t *testing.T) {
	tests := []struct {
		name   string
		health func(context.Context) Health
		target string
		status int
		errHas string
		want   string
	}{
		{name: "not configured", status: 200, want: `{"status":"ok"}`},
		{name: "ok", health: func(context.Context) Health {
			return Health{Status: HealthOK, Details: map[string]string{"registry": "ok"}}
		}, status: 200, want: `{"status":"ok","details":{"registry":"ok"}}`},
		{name: "degraded", health: func(context.Context) Health {
			return Health{Status: HealthDegraded, Details: map[string]string{"dnsbl zen.example.org": "3 timeouts", "registry": "ok"}}
		}, status: 503, want: `{"status":"degraded","details":{"dnsbl zen.example.org":"3 timeouts","registry":"ok"}}`},
		{name: "unknown status", health: func(context.Context) Health { return Health{} }, status: 503, want: `{"status":""}`},
		{name: "parameter", target: "/v1/health?verbose=1", status: 400, errHas: "takes none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.target == "" {
				tt.target = "/v1/health"
			}
			rec := do(newHandler(t, Options{Health: tt.health}), request{method: "GET", target: tt.target})
			expect(t, rec, tt.status, tt.errHas)
			if got := strings.TrimSpace(rec.Body.String()); tt.want != "" && got != tt.want {
				t.Errorf("body %s, want %s", got, tt.want)
			}
		})
	}
}

func TestReload(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		stale  []string
		body   string
		method string
		status int
		errHas string
		calls  int
	}{
		{name: "ok", method: "POST", status: 200, calls: 1, body: `{"reloaded":true,"restart_needed":[]}`},
		{name: "ok, some need a restart", method: "POST", stale: []string{"listen", "admin"}, status: 200, calls: 1,
			body: `{"reloaded":true,"restart_needed":["listen","admin"]}`},
		{name: "fails", method: "POST", err: errors.New("rules.yaml:3:5: unknown field"), status: 500,
			errHas: "reload: rules.yaml:3:5: unknown field", calls: 1},
		{name: "GET", method: "GET", status: 405, errHas: "allowed: POST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			reload := func() ([]string, error) { calls++; return tt.stale, tt.err }
			rec := do(newHandler(t, Options{Reload: reload}), request{method: tt.method, target: "/v1/reload"})
			expect(t, rec, tt.status, tt.errHas)
			if calls != tt.calls {
				t.Errorf("reload ran %d times, want %d", calls, tt.calls)
			}
			if tt.status == 200 && strings.TrimSpace(rec.Body.String()) != tt.body {
				t.Errorf("body %s", rec.Body)
			}
			if tt.status == 405 && rec.Header().Get("Allow") != "POST" {
				t.Errorf("Allow %q, want POST", rec.Header().Get("Allow"))
			}
		})
	}
}
