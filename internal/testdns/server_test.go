package testdns

import (
	"net"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

func answerZone() *Zone {
	z := NewZone()
	z.MustAdd(
		"example.test. 300 IN A 127.0.0.1",
		`example.test. 300 IN TXT "v=spf1 -all"`,
		"a.b.example.test. 300 IN A 127.0.0.2",
		"alias.example.test. 60 IN CNAME example.test.",
		"dangling.example.test. 60 IN CNAME nowhere.example.test.",
		"loop1.example.test. 60 IN CNAME loop2.example.test.",
		"loop2.example.test. 60 IN CNAME loop1.example.test.",
		"neg.test. 3600 IN SOA ns.neg.test. hostmaster.neg.test. 1 3600 600 86400 30",
		"has.neg.test. 300 IN A 127.0.0.3",
	)
	return z
}

func TestAnswers(t *testing.T) {
	s := start(t, answerZone())
	tests := []struct {
		name      string
		qname     string
		qtype     uint16
		rcode     int
		answer    []uint16 // types of the answer records, in order
		soaMinTTL uint32   // 0: no SOA expected in authority
	}{
		{name: "A record", qname: "example.test", qtype: dns.TypeA, rcode: dns.RcodeSuccess, answer: []uint16{dns.TypeA}},
		{name: "case-insensitive", qname: "EXAMPLE.Test.", qtype: dns.TypeTXT, rcode: dns.RcodeSuccess, answer: []uint16{dns.TypeTXT}},
		{name: "NODATA has synthetic SOA", qname: "example.test", qtype: dns.TypeMX, rcode: dns.RcodeSuccess, soaMinTTL: 60},
		{name: "NXDOMAIN has synthetic SOA", qname: "missing.example.test", qtype: dns.TypeA, rcode: dns.RcodeNameError, soaMinTTL: 60},
		{name: "empty non-terminal is NODATA", qname: "b.example.test", qtype: dns.TypeA, rcode: dns.RcodeSuccess, soaMinTTL: 60},
		{name: "CNAME followed", qname: "alias.example.test", qtype: dns.TypeTXT, rcode: dns.RcodeSuccess, answer: []uint16{dns.TypeCNAME, dns.TypeTXT}},
		{name: "CNAME asked for", qname: "alias.example.test", qtype: dns.TypeCNAME, rcode: dns.RcodeSuccess, answer: []uint16{dns.TypeCNAME}},
		{name: "CNAME to missing name", qname: "dangling.example.test", qtype: dns.TypeA, rcode: dns.RcodeNameError, answer: []uint16{dns.TypeCNAME}, soaMinTTL: 60},
		{name: "CNAME loop ends", qname: "loop1.example.test", qtype: dns.TypeA, rcode: dns.RcodeSuccess, answer: []uint16{dns.TypeCNAME, dns.TypeCNAME}},
		{name: "zone SOA used for NXDOMAIN", qname: "x.neg.test", qtype: dns.TypeA, rcode: dns.RcodeNameError, soaMinTTL: 30},
		{name: "zone SOA used for NODATA", qname: "has.neg.test", qtype: dns.TypeTXT, rcode: dns.RcodeSuccess, soaMinTTL: 30},
	}
	for _, tc := range tests {
		for _, network := range []string{"udp", "tcp"} {
			t.Run(tc.name+"/"+network, func(t *testing.T) {
				r := mustAsk(t, s, network, tc.qname, tc.qtype)
				if r.Rcode != tc.rcode {
					t.Errorf("rcode = %s, want %s", dns.RcodeToString[r.Rcode], dns.RcodeToString[tc.rcode])
				}
				if !r.Authoritative {
					t.Error("AA bit not set")
				}
				var got []uint16
				for _, rr := range r.Answer {
					got = append(got, rr.Header().Rrtype)
				}
				if !equalTypes(got, tc.answer) {
					t.Errorf("answer types = %v, want %v", got, tc.answer)
				}
				var soaMin uint32
				for _, rr := range r.Ns {
					if soa, ok := rr.(*dns.SOA); ok {
						soaMin = soa.Minttl
					}
				}
				if soaMin != tc.soaMinTTL {
					t.Errorf("SOA minimum = %d, want %d", soaMin, tc.soaMinTTL)
				}
			})
		}
	}
}

func equalTypes(a, b []uint16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestAddrAndQueries(t *testing.T) {
	s := start(t, answerZone())
	host, port, err := net.SplitHostPort(s.Addr())
	if err != nil || host != "127.0.0.1" || port == "0" {
		t.Fatalf("Addr() = %q, want 127.0.0.1:PORT", s.Addr())
	}
	if got := s.Queries(); got != 0 {
		t.Errorf("Queries() before any query = %d, want 0", got)
	}
	mustAsk(t, s, "udp", "example.test", dns.TypeA)
	mustAsk(t, s, "tcp", "example.test", dns.TypeA)
	mustAsk(t, s, "udp", "missing.test", dns.TypeA)
	if got := s.Queries(); got != 3 {
		t.Errorf("Queries() = %d, want 3", got)
	}
}

func TestStartNilZoneAnswersNXDOMAIN(t *testing.T) {
	s := start(t, nil)
	if r := mustAsk(t, s, "udp", "example.test", dns.TypeA); r.Rcode != dns.RcodeNameError {
		t.Errorf("rcode = %s, want NXDOMAIN", dns.RcodeToString[r.Rcode])
	}
}

func TestCloseTwice(t *testing.T) {
	s, err := Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("first Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := ask(s, "tcp", "example.test", dns.TypeA, 0); err == nil {
		t.Error("query over TCP after Close succeeded")
	}
}

func TestSetZoneConcurrent(t *testing.T) {
	one, two := NewZone(), NewZone()
	one.MustAdd("swap.example.test. 300 IN A 127.0.0.1")
	two.MustAdd("swap.example.test. 300 IN A 127.0.0.2")
	s := start(t, one)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 20 {
				if (i+j)%2 == 0 {
					s.SetZone(two)
				} else {
					s.SetZone(one)
				}
			}
		})
		wg.Go(func() {
			for range 20 {
				r, err := ask(s, "udp", "swap.example.test", dns.TypeA, 0)
				if err != nil {
					t.Error(err)
					return
				}
				if len(r.Answer) != 1 {
					t.Errorf("answers = %d, want 1", len(r.Answer))
					return
				}
				if a := r.Answer[0].(*dns.A).A.String(); a != "127.0.0.1" && a != "127.0.0.2" {
					t.Errorf("answer %s from neither zone", a)
				}
			}
		})
	}
	wg.Wait()
	s.SetZone(two)
	r := mustAsk(t, s, "udp", "swap.example.test", dns.TypeA)
	if a := r.Answer[0].(*dns.A).A.String(); a != "127.0.0.2" {
		t.Errorf("after SetZone(two): %s, want 127.0.0.2", a)
	}
	one.MustAdd("late.example.test. 300 IN A 127.0.0.9")
	s.SetZone(one)
	if r := mustAsk(t, s, "tcp", "late.example.test", dns.TypeA); len(r.Answer) != 1 {
		t.Errorf("record added after Start: %d answers, want 1", len(r.Answer))
	}
}

func TestDelayEndsOnClose(t *testing.T) {
	z := NewZone()
	z.MustAdd("slow.example.test. 300 IN A 127.0.0.1")
	z.SetDelay("slow.example.test", time.Hour)
	s, err := Start(z)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		m := new(dns.Msg).SetQuestion("slow.example.test.", dns.TypeA)
		_, _, err := (&dns.Client{Timeout: 300 * time.Millisecond}).Exchange(m, s.Addr())
		errc <- err
	}()
	for s.Queries() == 0 {
		time.Sleep(time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close with a pending delay: %v", err)
	}
	if err := <-errc; err == nil {
		t.Error("delayed query was answered after Close")
	}
}

// StartAt listens where asked (a busy address is an error) and SetDelay
// holds every answer back, NXDOMAIN included.
func TestStartAtAndDelay(t *testing.T) {
	first := start(t, NewZone())
	if s, err := StartAt(first.Addr(), nil); err == nil {
		s.Close()
		t.Fatalf("StartAt on the busy %s succeeded", first.Addr())
	}
	s, err := StartAt("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c := &dns.Client{Net: "udp", Timeout: 200 * time.Millisecond}
	q := new(dns.Msg).SetQuestion("missing.example.test.", dns.TypeA)
	if r, _, err := c.Exchange(q, s.Addr()); err != nil || r.Rcode != dns.RcodeNameError {
		t.Fatalf("without delay: %v %v, want NXDOMAIN", r, err)
	}
	s.SetDelay(10 * time.Second)
	if _, _, err := c.Exchange(q, s.Addr()); err == nil {
		t.Fatal("an answer came before the delay")
	}
}
