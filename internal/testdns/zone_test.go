package testdns

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

func faultZone() *Zone {
	z := NewZone()
	z.MustAdd(
		`fail.example.test. 300 IN TXT "ok"`,
		"fail.example.test. 300 IN A 127.0.0.1",
		"refused.example.test. 300 IN A 127.0.0.1",
		`silent.example.test. 300 IN TXT "ok"`,
		"silent.example.test. 300 IN A 127.0.0.1",
		"mute.example.test. 300 IN A 127.0.0.1",
		`tc.example.test. 300 IN TXT "small"`,
	)
	z.SetRcode("fail.example.test", dns.TypeTXT, dns.RcodeServerFailure)
	z.SetRcode("REFUSED.example.test.", dns.TypeANY, dns.RcodeRefused)
	z.SetRcode("forced-nx.example.test", dns.TypeA, dns.RcodeNameError)
	z.SetTimeout("silent.example.test", dns.TypeTXT)
	z.SetTimeout("mute.example.test", dns.TypeANY)
	z.SetTruncate("tc.example.test")
	return z
}

func TestFaults(t *testing.T) {
	s := start(t, faultZone())
	tests := []struct {
		name      string
		network   string
		qname     string
		qtype     uint16
		rcode     int
		answers   int
		truncated bool
		silent    bool
	}{
		{name: "SERVFAIL on the set type", network: "udp", qname: "fail.example.test", qtype: dns.TypeTXT, rcode: dns.RcodeServerFailure},
		{name: "other type unaffected", network: "udp", qname: "fail.example.test", qtype: dns.TypeA, rcode: dns.RcodeSuccess, answers: 1},
		{name: "TypeANY rcode matches all types", network: "tcp", qname: "refused.example.test", qtype: dns.TypeA, rcode: dns.RcodeRefused},
		{name: "forced NXDOMAIN on a missing name", network: "udp", qname: "forced-nx.example.test", qtype: dns.TypeA, rcode: dns.RcodeNameError},
		{name: "timeout on the set type, udp", network: "udp", qname: "silent.example.test", qtype: dns.TypeTXT, silent: true},
		{name: "timeout on the set type, tcp", network: "tcp", qname: "silent.example.test", qtype: dns.TypeTXT, silent: true},
		{name: "timeout leaves other types", network: "udp", qname: "silent.example.test", qtype: dns.TypeA, rcode: dns.RcodeSuccess, answers: 1},
		{name: "TypeANY timeout matches all types", network: "udp", qname: "mute.example.test", qtype: dns.TypeA, silent: true},
		{name: "truncate over udp", network: "udp", qname: "tc.example.test", qtype: dns.TypeTXT, rcode: dns.RcodeSuccess, truncated: true},
		{name: "full answer over tcp", network: "tcp", qname: "tc.example.test", qtype: dns.TypeTXT, rcode: dns.RcodeSuccess, answers: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			timeout := 5 * time.Second // generous: a loaded host must not fake a silence
			if tc.silent {
				timeout = 300 * time.Millisecond
			}
			m := new(dns.Msg).SetQuestion(dns.Fqdn(tc.qname), tc.qtype)
			r, _, err := (&dns.Client{Net: tc.network, Timeout: timeout}).Exchange(m, s.Addr())
			if tc.silent {
				var ne net.Error
				if !errors.As(err, &ne) || !ne.Timeout() {
					t.Fatalf("err = %v, want a timeout", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Rcode != tc.rcode || len(r.Answer) != tc.answers || r.Truncated != tc.truncated {
				t.Errorf("got rcode %s, %d answers, TC %v; want %s, %d, %v",
					dns.RcodeToString[r.Rcode], len(r.Answer), r.Truncated,
					dns.RcodeToString[tc.rcode], tc.answers, tc.truncated)
			}
		})
	}
}

func TestLargeAnswerTruncatedToClientBuffer(t *testing.T) {
	z := NewZone()
	for i := range 8 {
		if err := z.AddTXT("big.example.test", 300, strings.Repeat(string(rune('a'+i)), 200)); err != nil {
			t.Fatal(err)
		}
	}
	s := start(t, z)
	tests := []struct {
		name      string
		network   string
		edns      uint16
		truncated bool
	}{
		{name: "udp without EDNS0 (512 bytes)", network: "udp", truncated: true},
		{name: "udp with 1232-byte EDNS0", network: "udp", edns: 1232, truncated: true},
		{name: "udp with 4096-byte EDNS0", network: "udp", edns: 4096},
		{name: "tcp", network: "tcp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ask(s, tc.network, "big.example.test", dns.TypeTXT, tc.edns)
			if err != nil {
				t.Fatal(err)
			}
			if r.Truncated != tc.truncated {
				t.Errorf("TC = %v, want %v", r.Truncated, tc.truncated)
			}
			if !tc.truncated && len(r.Answer) != 8 {
				t.Errorf("answers = %d, want 8", len(r.Answer))
			}
		})
	}
}

func TestTXTStrings(t *testing.T) {
	long := strings.Repeat("0123456789", 60) // 600 bytes
	z := NewZone()
	z.MustAdd(`parsed.example.test. 300 IN TXT "` + long + `"`)
	for _, add := range []struct {
		name  string
		texts []string
	}{
		{name: "long.example.test", texts: []string{long}},
		{name: "multi.example.test", texts: []string{"v=spf1 ", "-all"}},
		{name: "raw.example.test", texts: []string{"a\"b\\c\x80\x00"}},
		{name: "none.example.test"},
	} {
		if err := z.AddTXT(add.name, 300, add.texts...); err != nil {
			t.Fatal(err)
		}
	}
	s := start(t, z)
	tests := []struct {
		qname string
		want  []string // escaped presentation form, as miekg/dns unpacks it
	}{
		{qname: "long.example.test", want: []string{long[:255], long[255:510], long[510:]}},
		{qname: "parsed.example.test", want: []string{long[:255], long[255:510], long[510:]}},
		{qname: "multi.example.test", want: []string{"v=spf1 ", "-all"}},
		{qname: "raw.example.test", want: []string{`a\"b\\c\128\000`}},
		{qname: "none.example.test", want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.qname, func(t *testing.T) {
			got := txtOf(mustAsk(t, s, "tcp", tc.qname, dns.TypeTXT))
			if len(got) != 1 {
				t.Fatalf("records = %d, want 1", len(got))
			}
			if strings.Join(got[0], "|") != strings.Join(tc.want, "|") || len(got[0]) != len(tc.want) {
				t.Errorf("strings = %q, want %q", got[0], tc.want)
			}
		})
	}
}

func TestAddErrors(t *testing.T) {
	tests := []struct {
		name string
		add  func(z *Zone) error
	}{
		{name: "syntax", add: func(z *Zone) error { return z.Add("example.test. 300 IN A not-an-ip") }},
		{name: "empty line", add: func(z *Zone) error { return z.Add("") }},
		{name: "comment only", add: func(z *Zone) error { return z.Add("; nothing") }},
		{name: "label over 63 bytes", add: func(z *Zone) error { return z.AddTXT(strings.Repeat("x", 64)+".test", 300, "v") }},
		{name: "empty label", add: func(z *Zone) error { return z.AddTXT("a..test", 300, "v") }},
		{name: "nil record", add: func(z *Zone) error { return z.AddRR(nil) }},
		{name: "unsplit 300-byte string", add: func(z *Zone) error {
			return z.AddRR(&dns.TXT{Hdr: header("x.test", dns.TypeTXT, 300), Txt: []string{strings.Repeat("y", 300)}})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.add(NewZone()); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestMustAddPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustAdd with a bad record did not panic")
		}
	}()
	NewZone().MustAdd("example.test. 300 IN A 127.0.0.1", "bad record")
}

func TestZeroZoneUsable(t *testing.T) {
	var z Zone
	z.SetTimeout("quiet.example.test", dns.TypeA)
	z.MustAdd("zero.example.test. 300 IN A 127.0.0.1")
	s := start(t, &z)
	if r := mustAsk(t, s, "udp", "zero.example.test", dns.TypeA); len(r.Answer) != 1 {
		t.Errorf("answers = %d, want 1", len(r.Answer))
	}
}
