package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"milter91/internal/testdns"
)

// slotContrib is TestContribSample's daemon, on the shipped sample config.
const slotContrib = "contrib"

func init() { slotNames = append(slotNames, slotContrib) }

// sampleDir is the shipped production sample (config, lists, rules).
const sampleDir = "../contrib/etc/milter91"

// TestContribSample runs the daemon on the shipped sample config, rewritten
// only for the milter, metrics and admin ports, the registry, archive and
// token paths and the DNS server (--dns): a client that Spamhaus ZEN lists
// in its PBL (an end-user range) is delivered and scored ZEN_PBL, clients
// listed in its SBL or XBL are refused at RCPT. The test DNS server on
// loopback serves the sample's zone names; nothing leaves the machine.
func TestContribSample(t *testing.T) {
	e := needEnv(t)
	dir := filepath.Join(e.root, "d-"+slotContrib)
	cfg := copySample(t, dir, e.slots[slotContrib].MilterAddr)
	dns := sampleDNS(t, e)
	d := startFaultDaemon(t, e, slotContrib, cfg, dns.Addr(), filepath.Join(dir, "milter91.log"))
	for _, tc := range []struct {
		name, ip string
	}{
		{name: "SBL", ip: "127.0.0.2"},
		{name: "XBL", ip: "127.0.0.4"},
	} {
		tok := newToken(t)
		s := openSession(t, e.smtpAddr(slotContrib), "client.example.test", "ADDR="+tc.ip+" NAME=[UNAVAILABLE]")
		data := mail{Token: tok, From: "<alice@" + goodDomain + ">", Subject: tc.name}.build()
		r := mustSend(t, s, outMessage{From: "alice@" + goodDomain, To: []string{recipient}, Data: data})
		if r.Code != 554 || !strings.Contains(r.Text, "5.7.1") || !strings.Contains(r.Text, "blocked using zen.spamhaus.org") {
			t.Errorf("%s-listed client: reply %v, want 554 5.7.1 … blocked using zen.spamhaus.org at RCPT", tc.name, r)
		}
	}
	tok := newToken(t)
	s := openSession(t, e.smtpAddr(slotContrib), "client.example.test", "ADDR=127.0.0.10 NAME=[UNAVAILABLE]")
	data := mail{Token: tok, From: "<alice@" + goodDomain + ">", Subject: "PBL"}.build()
	r := mustSend(t, s, outMessage{From: "alice@" + goodDomain, To: []string{recipient}, Data: data})
	if r.queueID() == "" {
		t.Fatalf("PBL-listed client: reply %v, want 250 queued", r)
	}
	delivered(t, e, tok)
	rec, err := d.waitLog(withField(logQueueID, r.queueID()), 10*time.Second)
	if err != nil {
		t.Fatalf("PBL-listed client (queue id %s): %v", r.queueID(), err)
	}
	if rules := toStrings(rec["rules"]); rec["action"] != "accept" || !slices.Contains(rules, "ZEN_PBL") || slices.Contains(rules, "DNSBL_LISTED") {
		t.Errorf("PBL-listed client: action %v rules %v, want accept with ZEN_PBL and without DNSBL_LISTED", rec["action"], rules)
	}
	if p := logProblems(d, true); len(p) > 0 {
		t.Errorf("daemon log reports a panic, race or error:\n%s", p)
	}
}

// copySample copies the sample into dir and rewrites its config for the
// test: the milter listens on milterAddr, metrics and admin on free
// loopback ports, the stores and the admin token are files in dir. Each
// rewritten line must be in the sample, so that a change to it is noticed
// here. It returns the config's path.
func copySample(t *testing.T, dir, milterAddr string) string {
	t.Helper()
	if err := os.CopyFS(dir, os.DirFS(sampleDir)); err != nil {
		t.Fatal(err)
	}
	token := filepath.Join(dir, "admin.token")
	if err := os.WriteFile(token, []byte("e2e-admin-token-0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "milter91.yml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, rw := range [][2]string{
		{"listen: unix:/var/spool/postfix/milter91/milter.sock", "listen: inet:" + milterAddr},
		{"metrics_listen: 127.0.0.1:9891", "metrics_listen: 127.0.0.1:" + strconv.Itoa(freePort())},
		{"registry: /var/lib/milter91/registry.db", "registry: " + filepath.Join(dir, "registry.db")},
		{"store: /var/lib/milter91/archive.db", "store: " + filepath.Join(dir, "archive.db")},
		{"listen: 127.0.0.1:9892", "listen: 127.0.0.1:" + strconv.Itoa(freePort())},
		{"token_file: /etc/milter91/admin.token", "token_file: " + token},
	} {
		if strings.Count(text, rw[0]) != 1 {
			t.Fatalf("sample config: %q not found once", rw[0])
		}
		text = strings.Replace(text, rw[0], rw[1], 1)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// sampleDNS starts a DNS server with the shared test records plus the
// sample's zones: zen.spamhaus.org lists 127.0.0.2 (SBL, also the RFC 5782
// §5 test point), 127.0.0.4 (XBL) and 127.0.0.10 (PBL, answer
// 127.0.0.11); the domain zones answer their test points.
func sampleDNS(t *testing.T, e *env) *testdns.Server {
	t.Helper()
	z := testdns.NewZone()
	if err := fillZone(z, &e.dkimKey.PublicKey); err != nil {
		t.Fatal(err)
	}
	z.MustAdd(
		"2.0.0.127.zen.spamhaus.org. 300 IN A 127.0.0.2",
		"4.0.0.127.zen.spamhaus.org. 300 IN A 127.0.0.4",
		"10.0.0.127.zen.spamhaus.org. 300 IN A 127.0.0.11",
		"test.dbl.spamhaus.org. 300 IN A 127.0.1.2",
		"test.multi.uribl.com. 300 IN A 127.0.0.2",
	)
	s, err := testdns.Start(z)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// toStrings returns the strings of a JSON array value (nil otherwise).
func toStrings(v any) []string {
	items, _ := v.([]any)
	var out []string
	for _, it := range items {
		if s, ok := it.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
