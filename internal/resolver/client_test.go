package resolver

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

var lookupZone = []string{
	"example.test. 300 IN A 127.0.0.1",
	"example.test. 300 IN A 127.0.0.2",
	"example.test. 300 IN AAAA ::1",
	`example.test. 300 IN TXT "v=spf1 " "-all"`,
	`example.test. 300 IN TXT "second"`,
	"example.test. 300 IN MX 20 mx2.example.test.",
	"example.test. 300 IN MX 10 mx1.example.test.",
	"v4only.example.test. 300 IN A 127.0.0.3",
	"v6only.example.test. 300 IN AAAA ::1",
	"alias.example.test. 300 IN CNAME example.test.",
	"dangling.example.test. 300 IN CNAME nowhere.example.test.",
	`raw.example.test. 300 IN TXT "q\"b\\s\128"`,
	"1.0.0.127.in-addr.arpa. 300 IN PTR host.example.test.",
	"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa. 300 IN PTR host6.example.test.",
	"fail.example.test. 300 IN A 127.0.0.4",
	"refused.example.test. 300 IN A 127.0.0.5",
	"half.example.test. 300 IN A 127.0.0.6",
}

// kind names the class of a lookup error.
func kind(err error) string {
	switch {
	case err == nil:
		return "ok"
	case IsNotFound(err):
		return "notfound"
	case IsTemporary(err):
		return "temporary"
	}
	return "permanent"
}

// lookupAs runs the lookup of kind ("TXT", "A", "IP", "MX", "PTR") and
// formats its result as strings.
func lookupAs(c *Client, kind, name string) ([]string, error) {
	ctx := context.Background()
	var out []string
	switch kind {
	case "TXT":
		return c.LookupTXT(ctx, name)
	case "PTR":
		return c.LookupAddr(ctx, name)
	case "A":
		addrs, err := c.LookupA(ctx, name)
		for _, a := range addrs {
			out = append(out, a.String())
		}
		return out, err
	case "IP":
		addrs, err := c.LookupIPAddr(ctx, name)
		for _, a := range addrs {
			out = append(out, a.IP.String())
		}
		return out, err
	case "MX":
		recs, err := c.LookupMX(ctx, name)
		for _, r := range recs {
			out = append(out, fmt.Sprintf("%d %s", r.Pref, r.Host))
		}
		return out, err
	}
	panic("unknown lookup kind " + kind)
}

var lookupCases = []struct {
	name   string
	lookup string // lookupAs kind
	qname  string
	want   string // the result formatted with %q, when kind is "ok"
	kind   string
}{
	{name: "TXT strings joined", lookup: "TXT", qname: "example.test", want: `["v=spf1 -all" "second"]`, kind: "ok"},
	{name: "TXT escapes decoded", lookup: "TXT", qname: "raw.example.test", want: `["q\"b\\s\x80"]`, kind: "ok"},
	{name: "TXT case-insensitive, trailing dot", lookup: "TXT", qname: "EXAMPLE.test.", want: `["v=spf1 -all" "second"]`, kind: "ok"},
	{name: "TXT through CNAME", lookup: "TXT", qname: "alias.example.test", want: `["v=spf1 -all" "second"]`, kind: "ok"},
	{name: "TXT NXDOMAIN", lookup: "TXT", qname: "missing.example.test", kind: "notfound"},
	{name: "TXT NODATA", lookup: "TXT", qname: "v4only.example.test", kind: "notfound"},
	{name: "CNAME to missing name", lookup: "TXT", qname: "dangling.example.test", kind: "notfound"},
	{name: "TXT SERVFAIL", lookup: "TXT", qname: "fail.example.test", kind: "temporary"},
	{name: "A", lookup: "A", qname: "example.test", want: `["127.0.0.1" "127.0.0.2"]`, kind: "ok"},
	{name: "A REFUSED", lookup: "A", qname: "refused.example.test", kind: "temporary"},
	{name: "A label over 63 bytes", lookup: "A", qname: strings.Repeat("x", 64) + ".example.test", kind: "notfound"},
	{name: "A empty label", lookup: "A", qname: "a..example.test", kind: "notfound"},
	{name: "A empty name", lookup: "A", qname: "", kind: "notfound"},
	{name: "IPAddr A then AAAA", lookup: "IP", qname: "example.test", want: `["127.0.0.1" "127.0.0.2" "::1"]`, kind: "ok"},
	{name: "IPAddr A only", lookup: "IP", qname: "v4only.example.test", want: `["127.0.0.3"]`, kind: "ok"},
	{name: "IPAddr AAAA only", lookup: "IP", qname: "v6only.example.test", want: `["::1"]`, kind: "ok"},
	{name: "IPAddr neither", lookup: "IP", qname: "missing.example.test", kind: "notfound"},
	{name: "IPAddr AAAA SERVFAIL", lookup: "IP", qname: "half.example.test", kind: "temporary"},
	{name: "MX by preference", lookup: "MX", qname: "example.test", want: `["10 mx1.example.test." "20 mx2.example.test."]`, kind: "ok"},
	{name: "MX NODATA", lookup: "MX", qname: "v4only.example.test", kind: "notfound"},
	{name: "PTR IPv4", lookup: "PTR", qname: "127.0.0.1", want: `["host.example.test."]`, kind: "ok"},
	{name: "PTR IPv6", lookup: "PTR", qname: "::1", want: `["host6.example.test."]`, kind: "ok"},
	{name: "PTR none", lookup: "PTR", qname: "127.0.0.9", kind: "notfound"},
	{name: "PTR bad literal", lookup: "PTR", qname: "not-an-ip", kind: "permanent"},
}

func TestLookups(t *testing.T) {
	s, z := serve(t, lookupZone...)
	z.SetRcode("fail.example.test", dns.TypeA, dns.RcodeServerFailure)
	z.SetRcode("fail.example.test", dns.TypeTXT, dns.RcodeServerFailure)
	z.SetRcode("refused.example.test", dns.TypeA, dns.RcodeRefused)
	z.SetRcode("half.example.test", dns.TypeAAAA, dns.RcodeServerFailure)
	c := client(t, Config{}, s)
	for _, tc := range lookupCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := lookupAs(c, tc.lookup, tc.qname)
			if k := kind(err); k != tc.kind {
				t.Fatalf("error %v is %s, want %s", err, k, tc.kind)
			}
			if s := fmt.Sprintf("%q", got); tc.kind == "ok" && s != tc.want {
				t.Errorf("got %s, want %s", s, tc.want)
			}
		})
	}
}

func TestErrorNames(t *testing.T) {
	s, _ := serve(t, lookupZone...)
	c := client(t, Config{}, s)
	_, err := c.LookupTXT(context.Background(), "Missing.Example.test")
	if !IsNotFound(err) || !strings.Contains(err.Error(), "Missing.Example.test") {
		t.Errorf("err = %v, want not-found naming the asked name", err)
	}
	_, err = c.LookupAddr(context.Background(), "127.0.0.9")
	if !IsNotFound(err) || !strings.Contains(err.Error(), "127.0.0.9") {
		t.Errorf("err = %v, want not-found naming the address", err)
	}
}

func TestTimeoutIsTemporary(t *testing.T) {
	s, z := serve(t, lookupZone...)
	z.SetTimeout("example.test", dns.TypeTXT)
	c := client(t, Config{Timeout: 100 * time.Millisecond, Retries: 1}, s)
	_, err := c.LookupTXT(context.Background(), "example.test")
	if !IsTemporary(err) || !isTimeout(err) {
		t.Fatalf("err = %v, want a temporary timeout", err)
	}
	if q, _ := c.Stats(); q != 2 {
		t.Errorf("queries sent = %d, want 2 (1 + 1 retry)", q)
	}
	if _, err := c.LookupTXT(context.Background(), "example.test"); !IsTemporary(err) {
		t.Errorf("second lookup: %v, want temporary again", err)
	}
	if q, _ := c.Stats(); q != 4 {
		t.Errorf("queries sent = %d, want 4: timeouts are not cached", q)
	}
	if n := c.Timeouts(); n != 4 {
		t.Errorf("Timeouts = %d, want 4 attempts", n)
	}
}

func TestCallerDeadline(t *testing.T) {
	s, z := serve(t, lookupZone...)
	z.SetTimeout("example.test", dns.TypeTXT)
	c := client(t, Config{Timeout: 5 * time.Second}, s)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.LookupTXT(ctx, "example.test")
	if !IsTemporary(err) || !isTimeout(err) {
		t.Fatalf("err = %v, want a temporary timeout from the caller's deadline", err)
	}
	done, stop := context.WithCancel(context.Background())
	stop()
	fresh := client(t, Config{}, s)
	if _, err := fresh.LookupA(done, "example.test"); !IsTemporary(err) {
		t.Errorf("cancelled ctx: err = %v, want temporary", err)
	}
	if q, _ := fresh.Stats(); q != 0 {
		t.Errorf("queries sent = %d, want 0: a done ctx sends nothing", q)
	}
}

func TestServFailNotCachedAndRetried(t *testing.T) {
	bad, badZone := serve(t, lookupZone...)
	badZone.SetRcode("example.test", dns.TypeANY, dns.RcodeServerFailure)
	good, _ := serve(t, lookupZone...)
	tests := []struct {
		name      string
		retries   int
		kind      string
		badQ      int // queries seen by the failing server after two lookups
		goodQ     int
		queriesOK int64 // Stats queries after two lookups
	}{
		{name: "no retry: temporary, not cached", retries: -1, kind: "temporary", badQ: 2, goodQ: 0, queriesOK: 2},
		{name: "retry on the next server succeeds, then cached", retries: 1, kind: "ok", badQ: 1, goodQ: 1, queriesOK: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b0, g0 := bad.Queries(), good.Queries()
			c := client(t, Config{Retries: tc.retries}, bad, good)
			var err error
			for range 2 {
				_, err = c.LookupA(context.Background(), "example.test")
			}
			if k := kind(err); k != tc.kind {
				t.Errorf("err %v is %s, want %s", err, k, tc.kind)
			}
			if b, g := bad.Queries()-b0, good.Queries()-g0; b != tc.badQ || g != tc.goodQ {
				t.Errorf("queries bad/good = %d/%d, want %d/%d", b, g, tc.badQ, tc.goodQ)
			}
			if q, _ := c.Stats(); q != tc.queriesOK {
				t.Errorf("Stats queries = %d, want %d", q, tc.queriesOK)
			}
		})
	}
}

func TestTruncationFallsBackToTCP(t *testing.T) {
	s, z := serve(t, lookupZone...)
	z.SetTruncate("example.test")
	for i := range 10 {
		if err := z.AddTXT("big.example.test", 300, strings.Repeat(string(rune('a'+i)), 200)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		qname string
		want  int // TXT records
	}{
		{name: "forced TC", qname: "example.test", want: 2},
		{name: "answer over the 1232-byte EDNS0 buffer", qname: "big.example.test", want: 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := client(t, Config{}, s)
			ctr := new(Counter)
			got, err := c.LookupTXT(WithCounter(context.Background(), ctr), tc.qname)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.want {
				t.Errorf("records = %d, want %d", len(got), tc.want)
			}
			if ctr.Load() != 2 {
				t.Errorf("counter = %d, want 2 (UDP + TCP)", ctr.Load())
			}
		})
	}
}
