package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// go-milter's warnings are rate-limited per kind: an accept error retried
// every few milliseconds while out of file descriptors is one line.
func TestProtocolWarningsRateLimited(t *testing.T) {
	var buf bytes.Buffer
	warn := protocolWarnings(slog.New(slog.NewTextHandler(&buf, nil)))
	for i := 0; i < 100; i++ {
		warn("Accept error: %v; retrying in %v", "accept tcp: too many open files", "5ms")
	}
	warn("Error reading milter command: %v", "bad packet")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "milter protocol: Accept error: accept tcp: too many open files") ||
		!strings.Contains(lines[1], "milter protocol: Error reading milter command: bad packet") {
		t.Errorf("log lines:\n%s\nwant one per kind", buf.String())
	}
}
