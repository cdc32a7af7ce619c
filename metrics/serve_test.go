package metrics

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
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
	l.idle = 100 * time.Millisecond
	go func() { done <- New().serve(ctx, ln, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second)) // a last guard
	if _, err := io.WriteString(c, "GET /metrics HTTP/1.1\r\nHost: metrics.test\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil || resp.StatusCode != http.StatusOK || resp.Close {
		t.Fatalf("scrape: %s, close %v, %v; want 200 on a kept-alive connection", resp.Status, resp.Close, err)
	}
	start := time.Now()
	if n, err := r.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("idle connection: read %d bytes, %v; want it closed by the server", n, err)
	}
	if idle := time.Since(start); idle < l.idle {
		t.Errorf("closed after %v idle, before the idle timeout %v", idle, l.idle)
	}
}
