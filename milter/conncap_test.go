package milter

import (
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	gomilter "github.com/d--j/go-milter"
)

// connCounts are the connection metrics a test server reports.
type connCounts struct{ open, refused atomic.Int64 }

func (c *connCounts) hooks() Metrics {
	return Metrics{Connections: func(d int) { c.open.Add(int64(d)) }, ConnRefused: func() { c.refused.Add(1) }}
}

// waitFor fails the test unless cond holds within a generous deadline (a
// last guard); it returns as soon as it does.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
	}
}

// A connection beyond MaxConnections is closed at once, counted and
// logged; the ones within are served, and a slot that frees up is used
// again.
func TestConnectionCap(t *testing.T) {
	counts := &connCounts{}
	addr, _, logs := startServer(t, Options{MaxConnections: 2, Metrics: counts.hooks()}, &fakeEval{})
	first, second := dialMTA(t, addr), dialMTA(t, addr)
	for i := 0; i < 3; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		waitClosed(t, c)
		c.Close()
	}
	if n := counts.refused.Load(); n != 3 {
		t.Errorf("%d connections counted as refused, want 3", n)
	}
	if lines := logs.entries(t, "milter connection refused: connection cap reached"); len(lines) != 1 || lines[0]["max_connections"] != 2.0 {
		t.Errorf("refusal log lines %v, want one (at most one per 10 s) with max_connections 2", lines)
	}
	second.connect("127.0.0.2", "helo.example.test")
	if _, act := second.send(simple("Q1")); act.Type != gomilter.ActionAccept {
		t.Errorf("connection within the cap: %v, want accept", act)
	}
	first.s.Close()
	waitFor(t, "open connections down to 1", func() bool { return counts.open.Load() == 1 })
	third := dialMTA(t, addr)
	third.connect("127.0.0.3", "helo.example.test")
	if _, act := third.send(simple("Q2")); act.Type != gomilter.ActionAccept {
		t.Errorf("connection after one ended: %v, want accept", act)
	}
}

// A milter connection on which nothing arrives for IdleTimeout is closed.
func TestIdleConnectionClosed(t *testing.T) {
	counts := &connCounts{}
	const idle = 200 * time.Millisecond
	addr, _, _ := startServer(t, Options{IdleTimeout: idle, Metrics: counts.hooks()}, &fakeEval{})
	start := time.Now()
	c := negotiated(t, addr)
	waitClosed(t, c)
	if waited := time.Since(start); waited < idle {
		t.Errorf("closed after %v, before the idle timeout %v", waited, idle)
	}
	waitFor(t, "open connections down to 0", func() bool { return counts.open.Load() == 0 })
}

// emfileListener fails its first fails calls to Accept with EMFILE, as a
// process out of file descriptors does.
type emfileListener struct {
	net.Listener
	fails atomic.Int32
}

func (l *emfileListener) Accept() (net.Conn, error) {
	if l.fails.Add(-1) >= 0 {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	}
	return l.Listener.Accept()
}

// Running out of file descriptors does not end Serve (the daemon exited
// 1 on it): accepting resumes once descriptors are free.
func TestAcceptErrorsDoNotEndServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	failing := &emfileListener{Listener: ln}
	failing.fails.Store(5)
	srv := New(Options{Evaluator: func() Evaluator { return &fakeEval{} }})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(failing) }()
	m := dialMTA(t, ln.Addr().String())
	m.connect("127.0.0.2", "helo.example.test")
	if _, act := m.send(simple("Q1")); act.Type != gomilter.ActionAccept {
		t.Errorf("after accept errors: %v, want accept", act)
	}
	m.s.Close()
	if err := srv.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve after Shutdown: %v, want nil", err)
	}
}
