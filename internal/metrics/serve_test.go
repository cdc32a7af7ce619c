package metrics

import (
	"context"
	"net"
	"testing"
	"time"

	"milter91/internal/httplimit/httplimittest"
)

// An idle keep-alive connection is closed after the idle timeout: a
// client cannot hold connections (file descriptors) open for ever.
func TestServeClosesIdleConnections(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	l := serveLimits
	l.Idle = 100 * time.Millisecond
	go func() { done <- New().serve(ctx, ln, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	httplimittest.IdleClosed(t, ln.Addr().String(), "GET /metrics HTTP/1.1\r\nHost: metrics.test\r\n\r\n", l.Idle)
}
