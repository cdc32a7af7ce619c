package e2e

import (
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
)

// tcpProxy forwards TCP connections from a fixed loopback port to a
// server. down closes the port and every connection (new ones are refused,
// as when the server is down); up listens on the same port again.
type tcpProxy struct {
	target string // HOST:PORT of the server
	addr   string // HOST:PORT the proxy listens on, the same across up/down

	mu    sync.Mutex
	ln    net.Listener // nil while down
	conns map[net.Conn]bool
	wg    sync.WaitGroup // the accept loop and the pipes
}

// startProxy listens in front of target on a port from freePort (below
// the ephemeral range, so that no outgoing connection takes it while the
// proxy is down). The proxy is brought down when the test ends.
func startProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	p := &tcpProxy{target: target, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort())), conns: map[net.Conn]bool{}}
	if err := p.up(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.down)
	return p
}

// up (re)opens the proxy's port. Errors: the port cannot be bound.
func (p *tcpProxy) up() error {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		ln.Close()
		return errors.New("proxy is already up")
	}
	p.ln = ln
	p.wg.Add(1)
	go p.accept(ln)
	return nil
}

// down closes the port and all connections, both sides, and waits until
// nothing is forwarded any more.
func (p *tcpProxy) down() {
	p.mu.Lock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *tcpProxy) accept(ln net.Listener) {
	defer p.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		if !p.track(c) {
			continue
		}
		p.wg.Add(1)
		go p.forward(c)
	}
}

// track remembers c for down; false (and c closed) when the proxy is down.
func (p *tcpProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		c.Close()
		return false
	}
	p.conns[c] = true
	return true
}

func (p *tcpProxy) forget(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, c)
	c.Close()
}

// forward connects client to the server and copies both ways until
// either side closes.
func (p *tcpProxy) forward(client net.Conn) {
	defer p.wg.Done()
	defer p.forget(client)
	server, err := net.Dial("tcp", p.target)
	if err != nil || !p.track(server) {
		return
	}
	defer p.forget(server)
	done := make(chan struct{})
	go func() {
		io.Copy(server, client)
		server.Close() // ends the other copy
		close(done)
	}()
	io.Copy(client, server)
	client.Close()
	<-done
}
