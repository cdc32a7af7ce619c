package admin

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"milter91/internal/archive"
)

// Each operator has a token of its own; every header search, also a
// refused one, is logged with who made it and what it asked.
func TestNamedTokensAuditSearches(t *testing.T) {
	var logBuf bytes.Buffer
	h, err := New(Options{Token: []byte(testToken),
		Tokens:  []NamedToken{{Name: "alice", Token: []byte("alice-token-0123456789")}},
		Headers: &fakeSearcher{recs: make([]archive.Record, 2)}, Logger: slog.New(slog.NewJSONHandler(&logBuf, nil)), Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	expect(t, do(h, request{method: http.MethodGet, target: "/v1/headers?since=2026-02-01&rcpt=User@example.net",
		token: "alice-token-0123456789"}), http.StatusOK, "")
	expect(t, do(h, request{method: http.MethodGet, target: "/v1/headers?since=yesterday"}), http.StatusBadRequest, "since")
	var lines []map[string]any
	for _, l := range bytes.Split(bytes.TrimSpace(logBuf.Bytes()), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		if m["msg"] == "admin: header search" {
			lines = append(lines, m)
		}
	}
	if len(lines) != 2 {
		t.Fatalf("audit lines %v, want 2", lines)
	}
	if l := lines[0]; l["operator"] != "alice" || l["rcpt"] != "user@example.net" || l["results"] != 2.0 ||
		l["query"] != "since=2026-02-01&rcpt=User@example.net" || l["remote"] == "" || l["time"] == nil {
		t.Errorf("search line %v", l)
	}
	if l := lines[1]; l["operator"] != DefaultOperator || l["results"] != -1.0 || l["error"] == nil {
		t.Errorf("refused search line %v", l)
	}
}
