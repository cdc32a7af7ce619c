package loadgen

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/miekg/dns"

	"milter91/testdns"
)

// dnsForwardTimeout bounds one forwarded query to the inner server.
const dnsForwardTimeout = 5 * time.Second

// DNSServer serves a corpus's zones: the project's testdns server holds
// the records on a random loopback port, and a front on the requested
// address forwards every query to it after an artificial delay. testdns
// can neither listen on a given address nor delay every name (its delays
// are per owner name, so NXDOMAIN answers, the common blocklist case,
// would not wait), hence the front.
type DNSServer struct {
	inner  *testdns.Server
	udp    *dns.Server
	tcp    *dns.Server
	addr   string
	delay  time.Duration
	closed chan struct{}
	once   sync.Once
	err    error
}

// ServeDNS serves zones on listen (HOST:PORT, UDP and TCP; port 0 picks
// one free for both) and answers each query after delay. It returns once
// both listeners run, or an error for bad records or a busy address.
func ServeDNS(zones *Zones, listen string, delay time.Duration) (*DNSServer, error) {
	zone, err := zones.TestZone()
	if err != nil {
		return nil, err
	}
	inner, err := testdns.Start(zone)
	if err != nil {
		return nil, err
	}
	pc, ln, err := listenDNS(listen)
	if err != nil {
		_ = inner.Close()
		return nil, err
	}
	s := &DNSServer{inner: inner, addr: pc.LocalAddr().String(), delay: delay, closed: make(chan struct{})}
	s.udp = &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(s.forward("udp"))}
	s.tcp = &dns.Server{Listener: ln, Handler: dns.HandlerFunc(s.forward("tcp"))}
	for _, srv := range []*dns.Server{s.udp, s.tcp} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go func() { _ = srv.ActivateAndServe() }()
		<-started
	}
	return s, nil
}

// listenDNS opens UDP and TCP on listen; with port 0 it retries until the
// UDP port is also free for TCP.
func listenDNS(listen string) (net.PacketConn, net.Listener, error) {
	var lastErr error
	for range 20 {
		pc, err := net.ListenPacket("udp", listen)
		if err != nil {
			return nil, nil, fmt.Errorf("dns listen udp %s: %w", listen, err)
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, ln, nil
		}
		_ = pc.Close()
		lastErr = fmt.Errorf("dns listen tcp %s: %w", pc.LocalAddr(), err)
		if _, port, _ := net.SplitHostPort(listen); port != "0" {
			break
		}
	}
	return nil, nil, lastErr
}

// Addr returns the address the front listens on, HOST:PORT.
func (s *DNSServer) Addr() string { return s.addr }

// Queries returns the number of queries answered from the zone so far.
func (s *DNSServer) Queries() int { return s.inner.Queries() }

// Close stops the front and the inner server; pending delays end at once.
// Calling it again returns the first result.
func (s *DNSServer) Close() error {
	s.once.Do(func() {
		close(s.closed)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		s.err = errors.Join(s.udp.ShutdownContext(ctx), s.tcp.ShutdownContext(ctx), s.inner.Close())
	})
	return s.err
}

// forward returns the handler for one transport: wait the delay, ask the
// inner server over the same transport (so truncation and the TCP retry
// work as with a real server, RFC 7766), relay its answer; SERVFAIL when
// the inner server does not answer.
func (s *DNSServer) forward(network string) func(dns.ResponseWriter, *dns.Msg) {
	client := &dns.Client{Net: network, Timeout: dnsForwardTimeout}
	return func(w dns.ResponseWriter, req *dns.Msg) {
		if s.delay > 0 {
			t := time.NewTimer(s.delay)
			defer t.Stop()
			select {
			case <-t.C:
			case <-s.closed:
				return
			}
		}
		resp, _, err := client.Exchange(req, s.inner.Addr())
		if err != nil {
			resp = new(dns.Msg).SetRcode(req, dns.RcodeServerFailure)
		}
		_ = w.WriteMsg(resp)
	}
}
