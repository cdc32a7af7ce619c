package admin

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestAuth(t *testing.T) {
	tests := []struct {
		name   string
		auth   []string // Authorization values; none when empty
		target string
		status int
		errHas string
	}{
		{name: "no header", status: 401, errHas: "missing Authorization header"},
		{name: "basic scheme", auth: []string{"Basic dXNlcjpwYXNz"}, status: 401, errHas: `scheme "Basic": want Bearer`},
		{name: "token without scheme", auth: []string{testToken}, status: 401, errHas: "want Bearer"},
		{name: "wrong token", auth: []string{"Bearer wrong-token-0123456789"}, status: 401, errHas: "invalid bearer token"},
		{name: "token prefix", auth: []string{"Bearer " + testToken[:len(testToken)-1]}, status: 401, errHas: "invalid bearer token"},
		{name: "token plus suffix", auth: []string{"Bearer " + testToken + "x"}, status: 401, errHas: "invalid bearer token"},
		{name: "empty token", auth: []string{"Bearer "}, status: 401, errHas: "invalid bearer token"},
		{name: "unknown path unauthenticated", target: "/v1/secret", status: 401, errHas: "missing Authorization"},
		{name: "right token", auth: []string{"Bearer " + testToken}, status: 200},
		{name: "scheme in lower case", auth: []string{"bearer " + testToken}, status: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.target == "" {
				tt.target = "/v1/health"
			}
			r := httptest.NewRequest("GET", tt.target, nil)
			for _, v := range tt.auth {
				r.Header.Add("Authorization", v)
			}
			rec := httptest.NewRecorder()
			newHandler(t, Options{}).ServeHTTP(rec, r)
			expect(t, rec, tt.status, tt.errHas)
			wantChallenge := ""
			if tt.status == 401 {
				wantChallenge = `Bearer realm="milter91"`
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != wantChallenge {
				t.Errorf("WWW-Authenticate %q, want %q", got, wantChallenge)
			}
		})
	}
}

// TestAuthRunsNothing checks that a refused request reaches no handler:
// a POST with a wrong token leaves the registry untouched.
func TestAuthRunsNothing(t *testing.T) {
	f := newFakeRegistry()
	reloads := 0
	h := newHandler(t, Options{Registry: f, Reload: func() ([]string, error) { reloads++; return nil, nil }})
	for _, target := range []string{"/v1/consents", "/v1/refusals", "/v1/reload"} {
		r := httptest.NewRequest("POST", target, strings.NewReader(`{"advertiser":"example.com","recipient":"user@example.net","method":"form"}`))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer not-the-token-0123456789")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		expect(t, rec, 401, "invalid bearer token")
	}
	if f.calls != 0 || len(f.consents) != 0 || len(f.refusals) != 0 || reloads != 0 {
		t.Errorf("refused requests ran: %d registry calls, %d consents, %d refusals, %d reloads",
			f.calls, len(f.consents), len(f.refusals), reloads)
	}
}

// logLines parses the JSON log lines in buf.
func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func TestFailLogRateLimit(t *testing.T) {
	var buf bytes.Buffer
	now := t0
	var scheduled []time.Duration
	var flush func()
	l := &failLog{log: slog.New(slog.NewJSONHandler(&buf, nil)), now: func() time.Time { return now },
		after: func(d time.Duration, f func()) { scheduled, flush = append(scheduled, d), f }}
	steps := []struct {
		advance time.Duration
		remote  string
		flush   bool  // run the scheduled flush instead of a failure
		lines   []int // "failures" of every line so far
		timers  int   // flushes scheduled so far
	}{
		{remote: "127.0.0.1:1000", lines: []int{1}},
		{advance: time.Second, remote: "127.0.0.1:1001", lines: []int{1}, timers: 1},
		{advance: time.Second, remote: "127.0.0.1:1002", lines: []int{1}, timers: 1},
		{advance: 8 * time.Second, flush: true, lines: []int{1, 2}, timers: 1},
		{advance: time.Second, remote: "127.0.0.1:1003", lines: []int{1, 2}, timers: 2},
		{advance: 9 * time.Second, flush: true, lines: []int{1, 2, 1}, timers: 2},
		{advance: 30 * time.Second, remote: "127.0.0.1:1004", lines: []int{1, 2, 1, 1}, timers: 2},
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		if s.flush {
			flush()
		} else {
			l.note(s.remote, "invalid bearer token")
		}
		var got []int
		for _, line := range logLines(t, &buf) {
			got = append(got, int(line["failures"].(float64)))
		}
		if len(got) != len(s.lines) || len(scheduled) != s.timers {
			t.Fatalf("step %d: lines %v and %d timers, want %v and %d", i, got, len(scheduled), s.lines, s.timers)
		}
		for j := range got {
			if got[j] != s.lines[j] {
				t.Fatalf("step %d: failures per line %v, want %v", i, got, s.lines)
			}
		}
	}
	if scheduled[0] != 9*time.Second || scheduled[1] != 9*time.Second {
		t.Errorf("flushes scheduled after %v, want the rest of each 10 s window (9s)", scheduled)
	}
	if last := logLines(t, &buf)[1]; last["last_remote"] != "127.0.0.1:1002" {
		t.Errorf("flushed line %v, want the latest remote 127.0.0.1:1002", last)
	}
}

func TestFailedAuthIsLogged(t *testing.T) {
	var buf bytes.Buffer
	h := newHandler(t, Options{Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	r := httptest.NewRequest("GET", "/v1/health", nil)
	r.RemoteAddr = "127.0.0.9:4242"
	h.ServeHTTP(httptest.NewRecorder(), r)
	lines := logLines(t, &buf)
	if len(lines) != 1 || lines[0]["last_remote"] != "127.0.0.9:4242" || lines[0]["failures"] != 1.0 ||
		!strings.Contains(lines[0]["last_reason"].(string), "missing Authorization") {
		t.Errorf("log %v, want one line for 127.0.0.9:4242 with failures 1", lines)
	}
}
