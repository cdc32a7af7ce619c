package config

import (
	"strings"
	"testing"
	"time"
)

func TestLimitsConfig(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	want := Limits{MilterConnections: 4096, MilterIdleTimeout: 10 * time.Minute, HeaderBytes: 1 << 20, HeaderFields: 1000}
	if c.Limits != want {
		t.Errorf("limits defaults = %+v, want %+v", c.Limits, want)
	}
	src := "limits: {milter_connections: 100, milter_idle_timeout: 1h, header_bytes: 256KiB, header_fields: 200}\n"
	c, err = Parse("l.yml", []byte(src))
	want = Limits{MilterConnections: 100, MilterIdleTimeout: time.Hour, HeaderBytes: 256 << 10, HeaderFields: 200}
	if err != nil || c.Limits != want {
		t.Fatalf("Parse: %+v, %v; want %+v", c.Limits, err, want)
	}
	tests := []struct{ name, src, want string }{
		{"no connections", "limits: {milter_connections: 0}\n", "l.yml:1:30: limits.milter_connections: want a whole number from 1 to 1000000, got 0"},
		{"short idle", "limits: {milter_idle_timeout: 1s}\n", "limits.milter_idle_timeout: 1s is below the minimum 10s"},
		{"idle not a duration", "limits: {milter_idle_timeout: long}\n", "limits.milter_idle_timeout: \"long\" is not a duration"},
		{"header bytes not a size", "limits: {header_bytes: big}\n", "limits.header_bytes: \"big\" is not a size"},
		{"header bytes too small", "limits: {header_bytes: 10KiB}\n", "limits.header_bytes: 10KiB, want 64 KiB to 64 MiB"},
		{"header bytes too large", "limits: {header_bytes: 1GiB}\n", "limits.header_bytes: 1GiB, want 64 KiB to 64 MiB"},
		{"too few header fields", "limits: {header_fields: 10}\n", "limits.header_fields: want a whole number from 100 to 100000, got 10"},
		{"header fields not a number", "limits: {header_fields: 1.5}\n", "limits.header_fields: want a whole number from 100 to 100000"},
	}
	for _, tc := range tests {
		_, err := Parse("l.yml", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.want)
		}
	}
}

// metrics_listen on an address other than loopback needs
// metrics_allow_remote, as the endpoint has no authentication.
func TestMetricsListenLoopback(t *testing.T) {
	for _, tc := range []struct {
		src     string
		wantErr string
	}{
		{"metrics_listen: 127.0.0.1:9891\n", ""},
		{"metrics_listen: \"[::1]:9891\"\n", ""},
		{"metrics_listen: localhost:9891\n", ""},
		{"metrics_listen: 192.0.2.1:9891\n", "m.yml:1:17: metrics_listen: \"192.0.2.1:9891\" is not a loopback address; set metrics_allow_remote: true"},
		{"metrics_listen: \":9891\"\n", "is not a loopback address"},
		{"metrics_listen: mx.example.com:9891\n", "is not a loopback address"},
		{"metrics_listen: 192.0.2.1:9891\nmetrics_allow_remote: true\n", ""},
		{"metrics_listen: \":9891\"\nmetrics_allow_remote: true\n", ""},
		{"metrics_listen: 127.0.0.1\n", "metrics_listen: \"127.0.0.1\": want HOST:PORT"},
	} {
		c, err := Parse("m.yml", []byte(tc.src))
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%q: %v", tc.src, err)
		case tc.wantErr == "" && c.MetricsAllowRemote != strings.Contains(tc.src, "allow_remote"):
			t.Errorf("%q: MetricsAllowRemote %v", tc.src, c.MetricsAllowRemote)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%q: err %v, want %q", tc.src, err, tc.wantErr)
		}
	}
}
