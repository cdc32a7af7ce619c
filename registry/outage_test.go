package registry

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"milter91/internal/pgtest"
	"milter91/txn"
)

// proxy forwards TCP connections from a loopback port to a server. It
// can cut them (port closed, connections reset: connection refused), go
// silent (connections, old and new, stay open and carry nothing, as on a
// lost route) and recover on the same port.
type proxy struct {
	t      *testing.T
	target string // host:port of the server
	addr   string // host:port the proxy listens on

	mu     sync.Mutex
	open   *sync.Cond // signalled when silent ends
	silent bool
	ln     net.Listener
	conns  []net.Conn
}

// newProxy listens on a free loopback port in front of target.
func newProxy(t *testing.T, target string) *proxy {
	p := &proxy{t: t, target: target, addr: "127.0.0.1:0"}
	p.open = sync.NewCond(&p.mu)
	p.listen()
	t.Cleanup(p.cut)
	return p
}

// listen (re)opens the proxy's port, forwarding.
func (p *proxy) listen() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy listen %s: %v", p.addr, err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go p.serve(ln)
}

func (p *proxy) serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		if p.track(c) {
			go p.forward(c)
		}
	}
}

// track remembers c for cut; false (and c closed) once the port is closed.
func (p *proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		c.Close()
		return false
	}
	p.conns = append(p.conns, c)
	return true
}

func (p *proxy) forward(c net.Conn) {
	p.wait()
	s, err := net.Dial("tcp", p.target)
	if err != nil || !p.track(s) {
		c.Close()
		return
	}
	go p.pipe(s, c)
	p.pipe(c, s)
}

// pipe copies src to dst, holding back what it read while silent, until
// either side is closed.
func (p *proxy) pipe(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			return
		}
		p.wait()
		if _, err := dst.Write(buf[:n]); err != nil {
			return
		}
	}
}

// wait blocks while the proxy is silent.
func (p *proxy) wait() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.silent {
		p.open.Wait()
	}
}

// hush makes every connection, open or new, carry nothing.
func (p *proxy) hush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.silent = true
}

// cut closes the port and every connection through it, and ends silence
// (the held connections are closed with the rest).
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
	p.silent = false
	p.open.Broadcast()
}

// returnsBy runs fn and fails the test if it has not returned by limit:
// a call stuck past its context deadline would hang a milter thread.
func returnsBy(t *testing.T, limit time.Duration, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("call still running %s after it started", limit)
	}
}

// A PostgreSQL server that becomes unreachable makes Recipient,
// ReserveSend and Ping fail within their context (no panic, no hang, no
// send recorded), and the same Store works again once the server is back.
func TestPostgresOutageAndRecovery(t *testing.T) {
	u, err := url.Parse(pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, u.Host)
	u.Host = p.addr
	s := openAt(t, u.String())
	addConsent(t, s, Consent{Advertiser: adv, Recipient: rcpt, Method: MethodForm, Time: t0.Add(-time.Hour)})
	sent := 0
	// use runs Recipient and ReserveSend, each with its own timeout, and
	// checks what they return when they succeed.
	use := func(timeout time.Duration, at time.Time) (recErr, resErr error) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		r, recErr := s.Recipient(ctx, adv, rcpt, nil, at)
		cancel()
		if recErr == nil && !r.Consent {
			recErr = errors.New("consent not found")
		}
		ctx, cancel = context.WithTimeout(context.Background(), timeout)
		n, res, resErr := s.ReserveSend(ctx, adv, rcpt, txn.DirectionOutbound, 100, at)
		cancel()
		if resErr == nil && (n != sent || !res.Reserved()) {
			resErr = fmt.Errorf("sentBefore=%d reserved=%v, want %d true", n, res.Reserved(), sent)
		}
		if res.Reserved() {
			sent++
		}
		return recErr, resErr
	}
	if recErr, resErr := use(30*time.Second, t0); recErr != nil || resErr != nil {
		t.Fatalf("before the outage: %v; %v", recErr, resErr)
	}
	ping := func(timeout time.Duration) error {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		return s.Ping(ctx)
	}
	outages := []struct {
		name  string
		start func()
	}{
		{name: "connection refused", start: p.cut},
		{name: "server silent", start: p.hush},
	}
	const deadline = 2 * time.Second
	for i, o := range outages {
		o.start()
		at := t0.Add(time.Duration(i+1) * time.Minute)
		returnsBy(t, 2*deadline+10*time.Second, func() {
			recErr, resErr := use(deadline, at)
			if recErr == nil || resErr == nil {
				t.Errorf("%s: Recipient %v, ReserveSend %v; want both to fail", o.name, recErr, resErr)
			}
			t.Logf("%s: Recipient: %v; ReserveSend: %v", o.name, recErr, resErr)
			if err := ping(deadline); err == nil {
				t.Errorf("%s: Ping succeeded", o.name)
			}
		})
		p.cut()
		p.listen()
		if recErr, resErr := use(30*time.Second, at.Add(time.Second)); recErr != nil || resErr != nil {
			t.Errorf("%s, recovered: Recipient %v; ReserveSend %v; want both to work", o.name, recErr, resErr)
		}
		if err := ping(30 * time.Second); err != nil {
			t.Errorf("%s, recovered: Ping: %v", o.name, err)
		}
	}
}
