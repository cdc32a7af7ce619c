package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"milter91/internal/ratelimit"
)

func TestCountersAndRateLimits(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if c.Counters != (Counters{MaxRows: 1000000, OnceWindow: 24 * time.Hour}) || len(c.RateLimits) != 0 {
		t.Errorf("defaults: %+v %+v, want a store in memory, no limits", c.Counters, c.RateLimits)
	}
	ok := "counters: {store: \"redis://127.0.0.1:6379/3\", once_window: 2h}\n" +
		"rate_limits:\n" +
		"  - {name: user_hour, scope: sasl_user, count: 100, window: 1h, burst: 20}\n" +
		"  - {name: ip_rcpt, scope: client_ip, unit: recipients, count: 1_000, window: 24h}\n"
	c, err = Parse("ok.yml", []byte(ok))
	if err != nil {
		t.Fatal(err)
	}
	want := []ratelimit.Limit{
		{Name: "user_hour", Scope: ratelimit.SASLUser, Unit: ratelimit.Messages, Count: 100, Window: time.Hour, Burst: 20},
		{Name: "ip_rcpt", Scope: ratelimit.ClientIP, Unit: ratelimit.Recipients, Count: 1000, Window: 24 * time.Hour},
	}
	if c.Counters.Store != "redis://127.0.0.1:6379/3" || c.Counters.OnceWindow != 2*time.Hour || len(c.RateLimits) != 2 || c.RateLimits[0] != want[0] || c.RateLimits[1] != want[1] {
		t.Errorf("Parse: %+v %+v", c.Counters, c.RateLimits)
	}
	tests := []struct{ name, src, want string }{
		{"bad scope", "rate_limits: [{name: a, scope: sender, count: 1, window: 1h}]\n", `m.yml:1:15: rate_limits[0]: ratelimit: invalid limit "a": scope "sender"`},
		{"bad unit", "rate_limits: [{name: a, scope: sasl_user, unit: bytes, count: 1, window: 1h}]\n", `unit "bytes"`},
		{"no count", "rate_limits: [{name: a, scope: sasl_user, window: 1h}]\n", "rate_limits[0].count: want a whole number"},
		{"short window", "rate_limits: [{name: a, scope: sasl_user, count: 5, window: 10ms}]\n", "rate_limits[0].window: 10ms is below the minimum 1s"},
		{"burst over count", "rate_limits: [{name: a, scope: sasl_user, count: 5, window: 1h, burst: 6}]\n", "burst 6, want 0 to the count (5)"},
		{"bad name", "rate_limits: [{name: A-1, scope: sasl_user, count: 5, window: 1h}]\n", "the name wants 1 to 32 of a-z, 0-9 and _"},
		{"two of a name", "rate_limits: [{name: a, scope: sasl_user, count: 5, window: 1h}, {name: a, scope: client_ip, count: 5, window: 1h}]\n", `a second limit named "a"`},
		{"short once window", "counters: {once_window: 1s}\n", "counters.once_window: 1s is below the minimum 1m0s"},
		{"negative max_rows", "counters: {max_rows: -1}\n", "counters.max_rows: want a whole number from 0"},
	}
	for _, tc := range tests {
		_, err := Parse("m.yml", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// A SQLite counter store is relative to the config file, as the registry
// is; a server URL stays as written.
func TestCountersStorePath(t *testing.T) {
	dir := t.TempDir()
	for store, want := range map[string]string{
		"counters.db":                  filepath.Join(dir, "counters.db"),
		"redis://127.0.0.1:6379/1":     "redis://127.0.0.1:6379/1",
		"postgres://m91@127.0.0.1/m91": "postgres://m91@127.0.0.1/m91",
	} {
		path := filepath.Join(dir, "m.yml")
		if err := os.WriteFile(path, []byte("counters: {store: \""+store+"\"}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := Load(path)
		if err != nil || c.Counters.Store != want {
			t.Errorf("store %q: %q, %v; want %q", store, c.Counters.Store, err, want)
		}
	}
}
