package testdns

import (
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/miekg/dns"
)

// handZoneData is zonedata in the shape goccy/go-yaml decodes the suite to.
func handZoneData() map[string][]any {
	return map[string][]any{
		"spfonly.example.net": {
			map[string]any{"SPF": "v=spf1 -all"},
		},
		"both.example.net": {
			map[string]any{"TXT": "v=spf1 +all"},
			map[string]any{"SPF": "v=spf1 -all"},
		},
		"none.example.net": {
			map[string]any{"SPF": "v=spf1 -all"},
			map[string]any{"TXT": "NONE"},
		},
		"null.example.com": {
			map[string]any{"SPF": []any{"v=spf1 ip4:", "192.0.2.5 -all"}},
			map[string]any{"SPF": []any{}},
		},
		"spftimeout.example.net": {
			map[string]any{"TXT": "v=spf1 -all"},
			"TIMEOUT",
		},
		"txttimeout.example.net": {
			map[string]any{"SPF": "v=spf1 -all"},
			map[string]any{"TXT": "NONE"},
			"TIMEOUT",
		},
		"mail.example.com": {
			map[string]any{"A": "192.0.2.1"},
			map[string]any{"AAAA": "2001:db8::1"},
			map[string]any{"MX": []any{uint64(10), "mx.example.com"}},
			map[string]any{"MX": []any{uint64(0), ""}},
		},
		"1.2.0.192.in-addr.arpa": {
			map[string]any{"PTR": "mail.Example.com"},
		},
		"alias.example.org": {
			map[string]any{"CNAME": "mail.example.com."},
		},
		"macro%percent  space%20url-space.example.com": {
			map[string]any{"SPF": "v=spf1 -all"},
		},
	}
}

func TestFromSPFSuite(t *testing.T) {
	z, err := FromSPFSuite(handZoneData())
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, z)
	tests := []struct {
		name  string
		qname string
		qtype uint16
		want  string // answer records' rdata joined by "|"; "TIMEOUT" for silence; "NX"/"NODATA"
	}{
		{name: "SPF served as SPF", qname: "spfonly.example.net", qtype: dns.TypeSPF, want: `"v=spf1 -all"`},
		{name: "SPF copied to TXT", qname: "spfonly.example.net", qtype: dns.TypeTXT, want: `"v=spf1 -all"`},
		{name: "explicit TXT wins", qname: "both.example.net", qtype: dns.TypeTXT, want: `"v=spf1 +all"`},
		{name: "TXT NONE blocks the copy", qname: "none.example.net", qtype: dns.TypeTXT, want: "NODATA"},
		{name: "multi-string and empty record", qname: "null.example.com", qtype: dns.TypeTXT, want: `"v=spf1 ip4:" "192.0.2.5 -all"|`},
		{name: "TIMEOUT keeps present types", qname: "spftimeout.example.net", qtype: dns.TypeTXT, want: `"v=spf1 -all"`},
		{name: "TIMEOUT silences absent types", qname: "spftimeout.example.net", qtype: dns.TypeSPF, want: "TIMEOUT"},
		{name: "TIMEOUT with TXT NONE", qname: "txttimeout.example.net", qtype: dns.TypeTXT, want: "TIMEOUT"},
		{name: "A", qname: "mail.example.com", qtype: dns.TypeA, want: "192.0.2.1"},
		{name: "AAAA", qname: "mail.example.com", qtype: dns.TypeAAAA, want: "2001:db8::1"},
		{name: "MX, empty exchange is root", qname: "mail.example.com", qtype: dns.TypeMX, want: "10 mx.example.com.|0 ."},
		{name: "PTR", qname: "1.2.0.192.in-addr.arpa", qtype: dns.TypePTR, want: "mail.Example.com."},
		{name: "CNAME followed", qname: "alias.example.org", qtype: dns.TypeA, want: "mail.example.com.|192.0.2.1"},
		{name: "name with spaces", qname: "macro%percent  space%20url-space.example.com", qtype: dns.TypeTXT, want: `"v=spf1 -all"`},
		{name: "absent name", qname: "other.example.net", qtype: dns.TypeTXT, want: "NX"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			timeout := 5 * time.Second // generous: a loaded host must not fake a silence
			if tc.want == "TIMEOUT" {
				timeout = 300 * time.Millisecond
			}
			if got := suiteAnswer(t, s, tc.qname, tc.qtype, timeout); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// suiteAnswer summarises the answer to one TCP query for TestFromSPFSuite,
// waiting at most timeout.
func suiteAnswer(t *testing.T, s *Server, qname string, qtype uint16, timeout time.Duration) string {
	t.Helper()
	m := new(dns.Msg).SetQuestion(dns.Fqdn(qname), qtype)
	r, _, err := (&dns.Client{Net: "tcp", Timeout: timeout}).Exchange(m, s.Addr())
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return "TIMEOUT"
	case err != nil:
		t.Fatal(err)
	case r.Rcode == dns.RcodeNameError:
		return "NX"
	case len(r.Answer) == 0:
		return "NODATA"
	}
	var parts []string
	for _, rr := range r.Answer {
		h := rr.Header().String()
		parts = append(parts, strings.TrimPrefix(rr.String(), h))
	}
	return strings.Join(parts, "|")
}

func TestFromSPFSuiteErrors(t *testing.T) {
	tests := []struct {
		name string
		data map[string][]any
	}{
		{name: "unknown kind", data: map[string][]any{"x.example.com": {map[string]any{"NS": "ns.example.com"}}}},
		{name: "unknown marker", data: map[string][]any{"x.example.com": {"SERVFAIL"}}},
		{name: "two keys", data: map[string][]any{"x.example.com": {map[string]any{"A": "192.0.2.1", "TXT": "v"}}}},
		{name: "bad IPv4", data: map[string][]any{"x.example.com": {map[string]any{"A": "192.0.2.300"}}}},
		{name: "IPv6 as A", data: map[string][]any{"x.example.com": {map[string]any{"A": "2001:db8::1"}}}},
		{name: "IPv4 as AAAA", data: map[string][]any{"x.example.com": {map[string]any{"AAAA": "192.0.2.1"}}}},
		{name: "MX not a pair", data: map[string][]any{"x.example.com": {map[string]any{"MX": "mx.example.com"}}}},
		{name: "MX preference too big", data: map[string][]any{"x.example.com": {map[string]any{"MX": []any{uint64(70000), "mx.example.com"}}}}},
		{name: "TXT of numbers", data: map[string][]any{"x.example.com": {map[string]any{"TXT": []any{1, 2}}}}},
		{name: "PTR not a string", data: map[string][]any{"x.example.com": {map[string]any{"PTR": []any{"a"}}}}},
		{name: "bad name", data: map[string][]any{"a..example.com": {map[string]any{"A": "192.0.2.1"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := FromSPFSuite(tc.data); err == nil {
				t.Error("no error")
			}
		})
	}
}

// TestFromSPFSuiteRFC7208 loads every zonedata block of the real suite.
func TestFromSPFSuiteRFC7208(t *testing.T) {
	f, err := os.Open("testdata/rfc7208-tests.yml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	blocks := 0
	for {
		var doc struct {
			Description string           `yaml:"description"`
			ZoneData    map[string][]any `yaml:"zonedata"`
		}
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := FromSPFSuite(doc.ZoneData); err != nil {
			t.Errorf("%s: %v", doc.Description, err)
		}
		blocks++
	}
	if blocks != 16 {
		t.Errorf("zonedata blocks = %d, want the suite's 16 scenarios", blocks)
	}
}
