package httplimit_test

import (
	"net"
	"net/http"
	"testing"
	"time"

	"milter91/internal/httplimit"
	"milter91/internal/httplimit/httplimittest"
)

// A server within Limits closes an idle keep-alive connection after
// Limits.Idle.
func TestIdleConnectionClosed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := httplimit.Limits{ReadHeader: time.Second, Idle: 100 * time.Millisecond, MaxConns: 2}
	srv := l.Server(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), nil)
	go srv.Serve(l.Listener(ln))
	t.Cleanup(func() { srv.Close() })
	httplimittest.IdleClosed(t, ln.Addr().String(), "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n", l.Idle)
}
