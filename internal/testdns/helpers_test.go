package testdns

import (
	"testing"
	"time"

	"github.com/miekg/dns"
)

// start runs a server for zone and closes it when the test ends.
func start(t *testing.T, zone *Zone) *Server {
	t.Helper()
	s, err := Start(zone)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// ask sends one query over network ("udp" or "tcp"), with an EDNS0 buffer
// of edns bytes when edns > 0, and returns the answer or the exchange error.
func ask(s *Server, network, name string, qtype uint16, edns uint16) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	if edns > 0 {
		m.SetEdns0(edns, false)
	}
	c := &dns.Client{Net: network, Timeout: 2 * time.Second}
	r, _, err := c.Exchange(m, s.Addr())
	return r, err
}

// mustAsk is ask that fails the test on an exchange error.
func mustAsk(t *testing.T, s *Server, network, name string, qtype uint16) *dns.Msg {
	t.Helper()
	r, err := ask(s, network, name, qtype, 1232)
	if err != nil {
		t.Fatalf("%s %s %s: %v", network, name, dns.TypeToString[qtype], err)
	}
	return r
}

// txtOf returns the character-strings of the TXT (or SPF) records of r, in
// the escaped form miekg/dns presents them.
func txtOf(r *dns.Msg) [][]string {
	var out [][]string
	for _, rr := range r.Answer {
		switch v := rr.(type) {
		case *dns.TXT:
			out = append(out, v.Txt)
		case *dns.SPF:
			out = append(out, v.Txt)
		}
	}
	return out
}
