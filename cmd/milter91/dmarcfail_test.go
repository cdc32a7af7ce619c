package main

import (
	"testing"

	"milter91/config"
)

// TestDMARCFailuresOffByDefault: without dmarc.failure_reports the daemon
// starts no reporter, and the nil reporter takes answers and sends nothing.
func TestDMARCFailuresOffByDefault(t *testing.T) {
	cfg, err := config.Parse("m.yml", []byte("listen: inet:127.0.0.1:1\n"))
	if err != nil {
		t.Fatal(err)
	}
	r := (&daemon{}).startDMARCFailures(cfg)
	if r != nil {
		t.Fatalf("a reporter started with the default config")
	}
	closeDMARCFailures(r)
}
