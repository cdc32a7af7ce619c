// Package httplimittest checks a running server's httplimit bounds.
package httplimittest

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// IdleClosed sends request (a raw HTTP/1.1 request) to the server at addr
// on a new connection, reads its answer, which must be 200 on a kept-alive
// connection, and fails t unless the server then closes the idle
// connection, not before idle and within a generous deadline (a last
// guard, not a measurement).
func IdleClosed(t testing.TB, addr, request string, idle time.Duration) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(idle + 10*time.Second))
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil || resp.StatusCode != http.StatusOK || resp.Close {
		t.Fatalf("answer: %s, close %v, %v; want 200 on a kept-alive connection", resp.Status, resp.Close, err)
	}
	start := time.Now()
	if n, err := r.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("idle connection: read %d bytes, %v; want it closed by the server", n, err)
	}
	if waited := time.Since(start); waited < idle {
		t.Errorf("closed after %v idle, before the idle timeout %v", waited, idle)
	}
}
