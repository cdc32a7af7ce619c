package loadgen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// longText is a TXT value over 255 bytes, as a DKIM RSA-2048 key is.
var longText = "v=DKIM1; k=rsa; p=" + strings.Repeat("A", 400)

func testZones() *Zones {
	z := &Zones{Blocklist: BlocklistZone}
	z.add("example.com", "TXT", "v=spf1 ip4:127.0.0.0/8 -all")
	z.add("lg1._domainkey.example.com", "TXT", longText)
	z.add("2.0.0.127."+BlocklistZone, "A", "127.0.0.2")
	return z
}

func TestServeDNS(t *testing.T) {
	for _, delay := range []time.Duration{0, 10 * time.Millisecond} {
		srv, err := ServeDNS(testZones(), "127.0.0.1:0", delay)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = srv.Close() })
		for _, tc := range []struct {
			net, name string
			qtype     uint16
			rcode     int
			want      string
		}{
			{net: "udp", name: "example.com.", qtype: dns.TypeTXT, rcode: dns.RcodeSuccess, want: "v=spf1 ip4:127.0.0.0/8 -all"},
			{net: "tcp", name: "lg1._domainkey.example.com.", qtype: dns.TypeTXT, rcode: dns.RcodeSuccess, want: longText},
			{net: "udp", name: "2.0.0.127.bl.example.test.", qtype: dns.TypeA, rcode: dns.RcodeSuccess, want: "127.0.0.2"},
			{net: "udp", name: "3.0.0.127.bl.example.test.", qtype: dns.TypeA, rcode: dns.RcodeNameError},
		} {
			c := &dns.Client{Net: tc.net, Timeout: 5 * time.Second}
			resp, _, err := c.Exchange(new(dns.Msg).SetQuestion(tc.name, tc.qtype), srv.Addr())
			if err != nil {
				t.Fatalf("delay %v, %s %s: %v", delay, tc.net, tc.name, err)
			}
			got := ""
			for _, rr := range resp.Answer {
				switch v := rr.(type) {
				case *dns.TXT:
					got = strings.Join(v.Txt, "")
				case *dns.A:
					got = v.A.String()
				}
			}
			if resp.Rcode != tc.rcode || got != tc.want {
				t.Errorf("delay %v, %s %s: rcode %d %q, want %d %q", delay, tc.net, tc.name, resp.Rcode, got, tc.rcode, tc.want)
			}
		}
		if srv.Queries() != 4 {
			t.Errorf("delay %v: %d queries reached the zone, want 4", delay, srv.Queries())
		}
	}
}

func TestServeDNSErrors(t *testing.T) {
	srv, err := ServeDNS(testZones(), "127.0.0.1:0", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	bad := &Zones{Records: []Record{{Name: "example.com", Type: "A", TTL: 60, Data: "not-an-address"}}}
	for _, tc := range []struct {
		name   string
		zones  *Zones
		listen string
	}{
		{name: "bad record", zones: bad, listen: "127.0.0.1:0"},
		{name: "address in use", zones: testZones(), listen: srv.Addr()},
		{name: "bad address", zones: testZones(), listen: "127.0.0.1:notaport"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if s, err := ServeDNS(tc.zones, tc.listen, 0); err == nil {
				s.Close()
				t.Fatal("no error")
			}
		})
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestReadZones(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	if err := writeJSON(good, testZones()); err != nil {
		t.Fatal(err)
	}
	z, err := ReadZones(good)
	if err != nil {
		t.Fatal(err)
	}
	if len(z.Records) != 3 || z.Records[1].Name != "lg1._domainkey.example.com." || z.Records[1].Data != longText {
		t.Fatalf("records %+v", z.Records)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"records": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{bad, filepath.Join(dir, "missing.json")} {
		if _, err := ReadZones(path); err == nil {
			t.Errorf("%s: no error", filepath.Base(path))
		}
	}
}
