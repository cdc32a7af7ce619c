package testdns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

// listenTries bounds the search for a port free on both UDP and TCP.
const listenTries = 20

// shutdownWait bounds Close: a client holding a TCP connection open must not
// hang the test.
const shutdownWait = 2 * time.Second

// Server is a running test DNS server on 127.0.0.1, UDP and TCP on one port.
// It is safe for concurrent use.
type Server struct {
	zone    atomic.Pointer[Zone]
	delay   atomic.Int64 // time.Duration before every answer
	queries atomic.Int64
	addr    string
	udp     *dns.Server
	tcp     *dns.Server
	closed  chan struct{}
	once    sync.Once
	err     error
}

// Start serves zone (nil means an empty zone) on 127.0.0.1 with a random
// port, the same for UDP and TCP. It returns once both listeners accept
// queries, or an error when no port free on both could be found.
func Start(zone *Zone) (*Server, error) {
	return StartAt("127.0.0.1:0", zone)
}

// StartAt is Start on addr (HOST:PORT, UDP and TCP on the same port; port
// 0 picks one free for both), e.g. a fixed port for a load test's daemon.
// Errors: addr busy or not local.
func StartAt(addr string, zone *Zone) (*Server, error) {
	s := &Server{closed: make(chan struct{})}
	s.SetZone(zone)
	pc, ln, err := listenPair(addr)
	if err != nil {
		return nil, err
	}
	s.addr = pc.LocalAddr().String()
	s.udp = &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(s.serveUDP)}
	s.tcp = &dns.Server{Listener: ln, Handler: dns.HandlerFunc(s.serveTCP)}
	for _, srv := range []*dns.Server{s.udp, s.tcp} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go func() { _ = srv.ActivateAndServe() }()
		<-started
	}
	return s, nil
}

// listenPair opens a UDP socket on addr and a TCP listener on the same
// port; with port 0 it retries while the TCP port is taken.
func listenPair(addr string) (net.PacketConn, net.Listener, error) {
	var lastErr error
	for range listenTries {
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			return nil, nil, fmt.Errorf("testdns: listen udp %s: %w", addr, err)
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, ln, nil
		}
		lastErr = err
		_ = pc.Close()
		if _, port, _ := net.SplitHostPort(addr); port != "0" {
			break
		}
	}
	return nil, nil, fmt.Errorf("testdns: no port free for both udp and tcp: %w", lastErr)
}

// SetDelay makes every answer wait d (on top of a zone's per-name
// delays), as a slow or distant resolver would; 0 removes it.
func (s *Server) SetDelay(d time.Duration) { s.delay.Store(int64(d)) }

// Addr returns the server address, "127.0.0.1:PORT", for resolver.Config
// Servers or a Postfix/milter resolv.conf.
func (s *Server) Addr() string { return s.addr }

// SetZone replaces the zone served from the next query on; nil means an
// empty zone (every name NXDOMAIN).
func (s *Server) SetZone(zone *Zone) {
	if zone == nil {
		zone = NewZone()
	}
	s.zone.Store(zone)
}

// Queries returns the number of queries received so far, over UDP and TCP,
// answered or not.
func (s *Server) Queries() int { return int(s.queries.Load()) }

// Close stops both listeners and ends pending delays. Calling it again
// returns the first result.
func (s *Server) Close() error {
	s.once.Do(func() {
		close(s.closed)
		ctx, cancel := context.WithTimeout(context.Background(), shutdownWait)
		defer cancel()
		s.err = errors.Join(s.udp.ShutdownContext(ctx), s.tcp.ShutdownContext(ctx))
	})
	return s.err
}

func (s *Server) serveUDP(w dns.ResponseWriter, req *dns.Msg) { s.serve(w, req, true) }

func (s *Server) serveTCP(w dns.ResponseWriter, req *dns.Msg) { s.serve(w, req, false) }

// serve answers one query from the current zone.
func (s *Server) serve(w dns.ResponseWriter, req *dns.Msg, udp bool) {
	s.queries.Add(1)
	r := s.zone.Load().respond(req, udp)
	if d := r.delay + time.Duration(s.delay.Load()); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-s.closed:
			return
		}
	}
	if r.msg != nil {
		_ = w.WriteMsg(r.msg)
	}
}
