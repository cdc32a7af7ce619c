package pgtest

import (
	"net"
	"net/url"
	"sync"
	"testing"
)

// Proxy forwards TCP connections from a loopback port to a server. It
// can cut them (port closed, connections reset: connection refused), go
// silent (connections, old and new, stay open and carry nothing, as on a
// lost route) and recover on the same port.
type Proxy struct {
	t      testing.TB
	target string // host:port of the server
	addr   string // host:port the proxy listens on

	mu     sync.Mutex
	open   *sync.Cond // signalled when silent ends
	silent bool
	ln     net.Listener
	conns  []net.Conn
}

// NewProxy listens on a free loopback port in front of target.
func NewProxy(t testing.TB, target string) *Proxy {
	p := &Proxy{t: t, target: target, addr: "127.0.0.1:0"}
	p.open = sync.NewCond(&p.mu)
	p.Listen()
	t.Cleanup(p.Cut)
	return p
}

// Listen (re)opens the proxy's port, forwarding.
func (p *Proxy) Listen() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy listen %s: %v", p.addr, err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go p.serve(ln)
}

func (p *Proxy) serve(ln net.Listener) {
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
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		c.Close()
		return false
	}
	p.conns = append(p.conns, c)
	return true
}

func (p *Proxy) forward(c net.Conn) {
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
func (p *Proxy) pipe(dst, src net.Conn) {
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
func (p *Proxy) wait() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.silent {
		p.open.Wait()
	}
}

// Hush makes every connection, open or new, carry nothing.
func (p *Proxy) Hush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.silent = true
}

// Cut closes the port and every connection through it, and ends silence
// (the held connections are closed with the rest).
func (p *Proxy) Cut() {
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

// Addr returns the host:port the proxy listens on.
func (p *Proxy) Addr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.addr
}

// ProxyDSN returns DSN(t) reached through a new Proxy, and the Proxy.
func ProxyDSN(t testing.TB) (string, *Proxy) {
	t.Helper()
	u, err := url.Parse(DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	p := NewProxy(t, u.Host)
	u.Host = p.Addr()
	return u.String(), p
}
