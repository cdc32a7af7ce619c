package resolver

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func TestJoinTXT(t *testing.T) {
	tests := []struct {
		name  string
		parts []string // as miekg/dns presents unpacked strings
		want  string
	}{
		{name: "plain", parts: []string{"v=spf1 -all"}, want: "v=spf1 -all"},
		{name: "no separator", parts: []string{"v=spf1 ip4:", "192.0.2.5 -all"}, want: "v=spf1 ip4:192.0.2.5 -all"},
		{name: "no strings", parts: nil, want: ""},
		{name: "quote and backslash", parts: []string{`a\"b\\c`}, want: `a"b\c`},
		{name: "decimal escapes", parts: []string{`\000\013\128\255`}, want: "\x00\r\x80\xff"},
		{name: "escape above 255 kept literal", parts: []string{`\256`}, want: "256"},
		{name: "short escape", parts: []string{`\12`}, want: "12"},
		{name: "trailing backslash", parts: []string{`x\`}, want: `x\`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := joinTXT(tc.parts); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func mustRR(t *testing.T, s string) dns.RR {
	t.Helper()
	rr, err := dns.NewRR(s)
	if err != nil {
		t.Fatal(err)
	}
	return rr
}

func TestChase(t *testing.T) {
	tests := []struct {
		name    string
		answer  []string
		qname   string
		want    []string // A addresses found
		wantTTL uint32
	}{
		{name: "direct", answer: []string{"a.test. 60 IN A 127.0.0.1", "a.test. 30 IN A 127.0.0.2"}, qname: "a.test.", want: []string{"127.0.0.1", "127.0.0.2"}, wantTTL: 30},
		{name: "owner case differs", answer: []string{"A.Test. 60 IN A 127.0.0.1"}, qname: "a.test.", want: []string{"127.0.0.1"}, wantTTL: 60},
		{name: "chain, out of order", answer: []string{"c.test. 50 IN A 127.0.0.3", "a.test. 10 IN CNAME b.test.", "b.test. 300 IN CNAME c.test."}, qname: "a.test.", want: []string{"127.0.0.3"}, wantTTL: 10},
		{name: "unrelated owner ignored", answer: []string{"other.test. 60 IN A 127.0.0.1"}, qname: "a.test."},
		{name: "loop", answer: []string{"a.test. 60 IN CNAME b.test.", "b.test. 60 IN CNAME a.test."}, qname: "a.test."},
		{name: "chain ends without records", answer: []string{"a.test. 60 IN CNAME b.test."}, qname: "a.test."},
		{name: "wrong class", answer: []string{"a.test. 60 CH A 127.0.0.1"}, qname: "a.test."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rrs []dns.RR
			for _, s := range tc.answer {
				rrs = append(rrs, mustRR(t, s))
			}
			got, ttl, ok := chase(rrs, tc.qname, dns.TypeA)
			if !ok {
				t.Fatal("chase gave up")
			}
			var addrs []string
			for _, a := range parseAnswer(dns.TypeA, got).addrs {
				addrs = append(addrs, a.String())
			}
			if !slices.Equal(addrs, tc.want) || (len(tc.want) > 0 && ttl != tc.wantTTL) {
				t.Errorf("got %v ttl %d, want %v ttl %d", addrs, ttl, tc.want, tc.wantTTL)
			}
		})
	}
}

// A CNAME chain is followed up to maxChain records; a longer one is a
// temporary error, so that an answer of thousands of CNAMEs costs linear
// time, not quadratic.
func TestChaseLongChain(t *testing.T) {
	chain := func(links int) []dns.RR {
		var rrs []dns.RR
		for i := range links {
			rrs = append(rrs, mustRR(t, fmt.Sprintf("c%d.test. 60 IN CNAME c%d.test.", i, i+1)))
		}
		return append(rrs, mustRR(t, fmt.Sprintf("c%d.test. 60 IN A 127.0.0.1", links)))
	}
	if got, _, ok := chase(chain(maxChain), "c0.test.", dns.TypeA); !ok || len(got) != 1 {
		t.Errorf("chain of %d CNAMEs: %v, ok %v; want the A record", maxChain, got, ok)
	}
	if got, _, ok := chase(chain(maxChain+1), "c0.test.", dns.TypeA); ok || got != nil {
		t.Errorf("chain of %d CNAMEs: %v, ok %v; want none, not ok", maxChain+1, got, ok)
	}
	c := &Client{}
	resp := new(dns.Msg)
	resp.Answer = chain(3000)
	res, ttl, final := c.classify(resp, "c0.test.", dns.TypeA)
	if res.ans != nil || res.notFound || !strings.Contains(res.reason, "CNAME chain") || ttl != 0 || final {
		t.Errorf("classify of a 3000-CNAME chain = %+v, ttl %v, final %v; want a temporary, uncached result", res, ttl, final)
	}
}

func TestCopiesAreIndependent(t *testing.T) {
	a := parseAnswer(dns.TypeMX, []dns.RR{mustRR(t, "a.test. 60 IN MX 10 mx.a.test.")})
	first := a.copyMX()
	first[0].Host = "changed."
	if second := a.copyMX(); second[0].Host != "mx.a.test." {
		t.Errorf("cached MX changed through a returned copy: %q", second[0].Host)
	}
}

// An answer whose records of the asked type carry no usable value (an A
// record with empty RDATA, found by FuzzAnswer) is a temporary error, not
// an empty success that a blocklist would read as "not listed", and it is
// not cached.
func TestUnusableAnswerIsTemporary(t *testing.T) {
	c := &Client{}
	resp := new(dns.Msg)
	resp.Answer = []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: "2.0.0.127.bl.example.test.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 300}}}
	res, ttl, final := c.classify(resp, "2.0.0.127.bl.example.test.", dns.TypeA)
	if res.ans != nil || res.notFound || res.reason != "malformed answer" || ttl != 0 || final {
		t.Errorf("classify = %+v, ttl %v, final %v; want a temporary, uncached, non-final result", res, ttl, final)
	}
	resp.Answer[0].(*dns.A).A = []byte{127, 0, 0, 2}
	if res, _, final := c.classify(resp, "2.0.0.127.bl.example.test.", dns.TypeA); res.ans == nil || len(res.ans.addrs) != 1 || !final {
		t.Errorf("a usable A record: %+v", res)
	}
}
