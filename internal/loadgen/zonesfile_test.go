package loadgen

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// The example of docs/bench-zones.md reads, serves, and answers as the
// page says.
func TestZonesDocExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/bench-zones.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```json\n(.*?)```").FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/bench-zones.md has no ```json example")
	}
	path := filepath.Join(t.TempDir(), "zones.json")
	if err := os.WriteFile(path, m[1], 0o644); err != nil {
		t.Fatal(err)
	}
	z, err := ReadZones(path)
	if err != nil {
		t.Fatalf("the documented example: %v", err)
	}
	srv, err := ServeDNS(z, "127.0.0.1:0", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	for _, q := range []struct {
		name  string
		qtype uint16
		want  string
	}{
		{"example.com.", dns.TypeTXT, "v=spf1 ip4:127.0.0.0/8 -all"},
		{"lg1._domainkey.example.com.", dns.TypeTXT, "v=DKIM1; k=ed25519;"},
		{"2.0.0.127.bl.example.test.", dns.TypeA, "127.0.0.2"},
		{"mail.example.com.", dns.TypeAAAA, "::1"},
		{"example.com.", dns.TypeMX, "10 mail.example.com."},
	} {
		c := &dns.Client{Timeout: 5 * time.Second}
		resp, _, err := c.Exchange(new(dns.Msg).SetQuestion(q.name, q.qtype), srv.Addr())
		if err != nil {
			t.Fatalf("%s: %v", q.name, err)
		}
		if len(resp.Answer) != 1 || !strings.Contains(resp.Answer[0].String(), q.want) {
			t.Errorf("%s %s: answer %v, want one record with %q", q.name, dns.TypeToString[q.qtype], resp.Answer, q.want)
		}
	}
}

// Errors name the file's line and column, or the record.
func TestReadZonesErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, json, want string }{
		{"syntax", "{\"records\": [\n  {\"name\": \"a.test\",}\n]}", "bad.json:2:21: invalid character '}'"},
		{"unknown key", "{\"records\": [\n  {\"name\": \"a.test\", \"tll\": 60}]}", `bad.json:2:22: unknown field "tll"`},
		{"wrong type", "{\"records\": [{\"name\": \"a.test\", \"ttl\": -1}]}", "bad.json:1:41: cannot unmarshal number -1"},
		{"trailing data", "{\"records\": []}\n{}", "bad.json:2:1: data after the JSON object"},
		{"not an object", "[]", "bad.json:1:1: cannot unmarshal array"},
	}
	for _, tc := range tests {
		path := filepath.Join(dir, "bad.json")
		if err := os.WriteFile(path, []byte(tc.json), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ReadZones(path)
		if got := strings.TrimPrefix(errText(err), dir+"/"); !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s: %q, want %q…", tc.name, got, tc.want)
		}
	}
	z := &Zones{Records: []Record{{Name: "a.test", Type: "A", Data: "127.0.0.1"}, {Name: "b.test", Type: "MX", Data: "x"}, {Name: "c.test"}}}
	if _, err := z.TestZone(); err == nil || !strings.HasPrefix(err.Error(), "records[1] (b.test MX): ") {
		t.Errorf("bad MX: %v, want records[1] (b.test MX): …", err)
	}
	z.Records = z.Records[2:]
	if _, err := z.TestZone(); err == nil || err.Error() != "records[0] (c.test ): name and type are required" {
		t.Errorf("no type: %v", err)
	}
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
