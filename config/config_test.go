package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"milter91/internal/dkimsign"
	"milter91/internal/txn"
)

func TestDefault(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Listen) != 1 || c.Listen[0] != "inet:127.0.0.1:8891" {
		t.Errorf("listen = %v, want loopback inet:127.0.0.1:8891", c.Listen)
	}
	if c.FailMode != txn.ActionTempfail {
		t.Errorf("fail mode = %v, want tempfail", c.FailMode)
	}
	if len(c.DNSBL.Zones) != 0 {
		t.Errorf("default enables blocklists %v; none may be on by default", c.DNSBL.Zones)
	}
	if c.SocketMode != 0o660 || c.DKIM.MaxSignatures != 5 || !c.Rules.Defaults || c.DNS.Timeout != 2*time.Second ||
		c.DNS.CacheSize != 10000 || c.DNS.CacheBytes != 32<<20 {
		t.Errorf("unexpected defaults: %+v", c)
	}
	if c.AuthservID == "" {
		t.Error("authserv-id must default to the host name")
	}
}

func TestParseOverrides(t *testing.T) {
	src := `listen: [unix:/run/milter91/milter.sock, "inet:8891@127.0.0.1"]
fail_mode: accept
socket_mode: "0600"
authserv_id: mx.example.com
dns:
  servers: [127.0.0.1:5353, 127.0.0.2]
dnsbl:
  max_body_domains: 5
  zones:
    - name: bl.example.test.
      secret: true
      codes: [{tag: sbl, match: 127.0.0.2}, {tag: phish, bitmask: 8}]
    - name: uribl.example.test
      type: domain
      sources: [url, email]
      full_name: true
`
	c, err := Parse("t.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Listen) != 2 || c.FailMode != txn.ActionAccept || c.SocketMode != 0o600 {
		t.Errorf("got listen %v fail %v mode %o", c.Listen, c.FailMode, c.SocketMode)
	}
	if c.DNS.Timeout != 2*time.Second {
		t.Errorf("dns.timeout default lost: %v", c.DNS.Timeout)
	}
	z := c.DNSBL.Zones
	if len(z) != 2 || z[0].Name != "bl.example.test" || !z[0].Secret || len(z[0].Codes) != 2 {
		t.Errorf("zones = %+v", z)
	}
	if u := z[1]; u.Type != "domain" || len(u.Sources) != 2 || !u.FullName || c.DNSBL.MaxBodyDomains != 5 || c.DNSBL.MaxQueries != 40 {
		t.Errorf("domain zone %+v, limits %d %d", u, c.DNSBL.MaxBodyDomains, c.DNSBL.MaxQueries)
	}
}

func TestParseErrorsHavePositions(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"unknown key", "listen: inet:127.0.0.1:1\nbogus: 1\n", []string{"t.yml:2:"}},
		{"bad values reported together", "fail_mode: explode\ndns:\n  timeout: soon\n",
			[]string{"t.yml:1:12: fail_mode", "t.yml:3:12: dns.timeout"}},
		{"bad listen", "listen: tcp:1\n", []string{"t.yml:1:9: listen"}},
		{"bad zone code", "dnsbl:\n  zones:\n    - name: x.test\n      codes: [{tag: a, match: nope}]\n",
			[]string{"t.yml:4:", "match"}},
		{"bad zone type and sources", "dnsbl:\n  zones:\n    - name: x.test\n      type: uri\n    - name: y.test\n      sources: [helo]\n      full_name: true\n",
			[]string{"t.yml:4:13: dnsbl.zones[0].type", "t.yml:6:17: dnsbl.zones[1].sources: \"helo\", ip zones take client, url", "dnsbl.zones[1].full_name"}},
		{"zone named like an address", "dnsbl:\n  zones:\n    - name: 127.0.0.1\n", []string{"t.yml:3:13: dnsbl.zones[0].name"}},
		{"bad limits", "dnsbl:\n  max_queries: 0\n  max_body_domains: 100000\n", []string{"t.yml:2:16: dnsbl.max_queries", "t.yml:3:21: dnsbl.max_body_domains"}},
		{"early reject where it means nothing", "dnsbl:\n  zones:\n    - name: d.test\n      type: domain\n      early: reject\n      ipv6: true\nlists:\n  - name: ok\n    path: ok.txt\n    kind: allow\n    early: reject\n",
			[]string{"t.yml:5:14: dnsbl.zones[0].early: reject needs an IP zone", "t.yml:6:13: dnsbl.zones[0].ipv6", "t.yml:11:12: lists[0].early: reject needs a block list"}},
		{"early reject on codes where it means nothing", "dnsbl:\n  zones:\n    - name: d.test\n      type: domain\n      codes: [{tag: a, match: 127.0.0.2, early: reject}]\n    - name: i.test\n      codes: [{tag: b, match: 127.0.0.2, early: later}]\n",
			[]string{"t.yml:5:49: dnsbl.zones[0].codes[0].early: reject needs an IP zone", "t.yml:7:49: dnsbl.zones[1].codes[0].early: \"later\", want reject"}},
		{"bad lists", "lists:\n  - name: a b\n    path: x\n  - name: n\n    kind: deny\n    sources: [body]\n    path: y\n  - name: n\n",
			[]string{"t.yml:2:11: lists[0].name", "t.yml:5:11: lists[1].kind", "t.yml:6:15: lists[1].sources", "lists[2].name: list \"n\" named twice", "lists[2]: path is required"}},
		{"bad arc seal", "arc:\n  seal: {enabled: true, domain: nodot, selector: \"bad selector\"}\n",
			[]string{"t.yml:2:33: arc.seal.domain", "t.yml:2:50: arc.seal.selector", "arc.seal.key: no key file"}},
		{"bad dkim signing", "dkim:\n  sign:\n    - {domain: example.test, selector: s1, key: a.key}\n    - {domain: example.test, selector: s1, key: b.key}\n    - {domain: nodot, selector: \"bad selector\"}\n  sign_users: {alice: [\"not a domain!\"]}\n  sign_expire: 1s\n",
			[]string{"t.yml:4:40: dkim.sign[1].selector: selector s1 of example.test is listed twice", "t.yml:5:16: dkim.sign[2].domain", "dkim.sign[2].selector", "dkim.sign[2].key: no key file", "t.yml:6:23: dkim.sign_users", "t.yml:7:16: dkim.sign_expire"}},
		{"bad dmarc discovery", "dmarc:\n  discovery: dns\n", []string{"t.yml:2:14: dmarc.discovery: \"dns\": want treewalk or psl"}},
		{"syntax", "dns: [\n", []string{"t.yml:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("t.yml", []byte(tc.src))
			var el ErrorList
			if !errors.As(err, &el) {
				t.Fatalf("err = %v, want ErrorList", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestNormalizeServer(t *testing.T) {
	for in, want := range map[string]string{"127.0.0.1": "127.0.0.1:53", "127.0.0.1:5353": "127.0.0.1:5353", "::1": "[::1]:53"} {
		got, err := NormalizeServer(in)
		if err != nil || got != want {
			t.Errorf("NormalizeServer(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "host:port", ":53", "a:99999", "dns.example.com:53"} {
		if _, err := NormalizeServer(bad); err == nil {
			t.Errorf("NormalizeServer(%q) accepted", bad)
		}
	}
}

func TestDecreeConfig(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	d := c.Decree
	if !d.Enabled || d.Registry != "" || d.DefaultDirection != "inbound" || d.LocalDirection != "outbound" || d.MaxPer24h != 3 ||
		d.MultiRecipient != "remove_refused" || d.Retention != 400*24*time.Hour || len(d.Labels) != 2 {
		t.Errorf("decree defaults = %+v", d)
	}
	_, err = Parse("d.yml", []byte("decree91:\n  retention: 30d\n  multi_recipient: some\n  outbound_listeners: [unix:/nope]\n  local_direction: sideways\n"))
	for _, w := range []string{"d.yml:2:14: decree91.retention", "below one year", "d.yml:3:20: decree91.multi_recipient", "d.yml:4:24: decree91.outbound_listeners",
		"d.yml:5:20: decree91.local_direction: \"sideways\": want inbound or outbound"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v lacks %q", err, w)
		}
	}
}

func TestSocketModeQuotedOrNot(t *testing.T) {
	for _, src := range []string{"socket_mode: 0660\n", "socket_mode: \"0660\"\n", "socket_mode: 660\n", "socket_mode: '0660'\n"} {
		c, err := Parse("m.yml", []byte(src))
		if err != nil || c.SocketMode != 0o660 {
			t.Errorf("%q: mode %o, %v; want 0660", src, c.SocketMode, err)
		}
	}
}

func TestOperatorMistakes(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, src, want string }{
		{"unix path relative", "listen: unix:rel.sock\n", "must be absolute"},
		{"listen twice", "listen: [inet:127.0.0.1:1, inet:127.0.0.1:1]\n", "listed twice"},
		{"unix path twice", "listen: [unix:/run/m/a.sock, unix:/run/m//a.sock]\n", "listed twice"},
		{"bad port", "listen: inet:127.0.0.1:99999\n", "m.yml:1:9: listen"},
		{"cache size", "dns: {cache_size: -5}\n", "dns.cache_size"},
		{"cache bytes not a size", "dns: {cache_bytes: lots}\n", `m.yml:1:20: dns.cache_bytes: "lots" is not a size`},
		{"cache bytes too small", "dns: {cache_bytes: 64KiB}\n", "dns.cache_bytes: 64KiB, want 0 (off) or 1.0 MiB to 16 GiB"},
		{"cache bytes negative", "dns: {cache_bytes: -1MiB}\n", "dns.cache_bytes"},
		{"spool dir", "spool_dir: " + dir + "/missing\n", "spool_dir"},
		{"prefix injection", "tag: {subject_prefix: \"[S]\\r\\nBcc: x@example.org \"}\n", "control character"},
		{"type error plain", "dns: {retries: two}\n", "want a whole number"},
	}
	for _, tc := range tests {
		_, err := Parse("m.yml", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := Parse("m.yml", []byte("\uFEFFlisten: inet:127.0.0.1:1\n")); err != nil {
		t.Errorf("BOM: %v", err)
	}
}

func TestLoadResolvesRulePathsAgainstConfigDir(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "milter91.yml")
	src := "rules: {paths: [local.yml, /etc/abs.yml]}\n" +
		"decree91: {registry: registry.db}\n" +
		"archive: {store: \"postgres://m91@127.0.0.1/m91\"}\n" +
		"admin: {listen: \"127.0.0.1:9192\", token_file: admin.token}\n" +
		"dkim: {sign: [{domain: example.test, selector: s1, key: keys/s1.key}], sign_users: {u: [example.test]}, sign_expire: 168h}\n" +
		"dmarc: {discovery: psl, report_store: dmarc.db}\n" +
		"arc: {seal: {enabled: true, domain: example.test, selector: arc1, key: keys/arc1.key}}\n"
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Rules.Paths[0] != filepath.Join(dir, "local.yml") || c.Rules.Paths[1] != "/etc/abs.yml" {
		t.Errorf("paths = %v", c.Rules.Paths)
	}
	if c.Decree.Registry != filepath.Join(dir, "registry.db") || c.Admin.TokenFile != filepath.Join(dir, "admin.token") ||
		c.Archive.Store != "postgres://m91@127.0.0.1/m91" {
		t.Errorf("registry %q, token file %q, archive %q", c.Decree.Registry, c.Admin.TokenFile, c.Archive.Store)
	}
	if len(c.DKIM.Sign) != 1 || c.DKIM.Sign[0].Key != filepath.Join(dir, "keys/s1.key") || c.DKIM.SignExpire != 168*time.Hour ||
		len(c.DKIM.SignUsers["u"]) != 1 {
		t.Errorf("dkim %+v", c.DKIM)
	}
	if !c.DMARCPSL || c.DMARCReportStore != filepath.Join(dir, "dmarc.db") {
		t.Errorf("dmarc psl %v, report store %q", c.DMARCPSL, c.DMARCReportStore)
	}
	if want := (dkimsign.KeySpec{Domain: "example.test", Selector: "arc1", Key: filepath.Join(dir, "keys/arc1.key")}); !c.ARCSeal.Enabled || c.ARCSeal.Key != want {
		t.Errorf("arc seal %+v", c.ARCSeal)
	}
}

// The config file must be a regular file: a FIFO blocked Load for ever
// (a SIGHUP then held the daemon's signal loop), and /dev/zero, whose size
// is 0, was read until memory ran out.
func TestLoadRefusesNonRegular(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "milter91.yml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{fifo, "/dev/zero"} {
		done := make(chan error, 1)
		go func() {
			_, err := Load(path)
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "not a regular file") {
				t.Errorf("Load(%s) = %v, want not a regular file", path, err)
			}
		case <-time.After(time.Minute): // a last guard: Load blocked
			t.Fatalf("Load(%s) blocked", path)
		}
	}
}

// TestDMARCFailureReports: off by default with redaction on; enabling
// needs the reporter's address.
func TestDMARCFailureReports(t *testing.T) {
	c, err := Parse("m.yml", []byte("listen: inet:127.0.0.1:1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f := c.DMARCFailure; f.Enabled || !f.Redact || f.PerDomainHour != 10 || f.Queue != 100 || f.Sendmail != "/usr/sbin/sendmail -t -i" {
		t.Errorf("defaults: %+v", f)
	}
	c, err = Parse("m.yml", []byte("dmarc: {failure_reports: {enabled: true, from: dmarc@mx.example.net, redact: false, per_domain_hour: 3}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f := c.DMARCFailure; !f.Enabled || f.Redact || f.PerDomainHour != 3 || f.From != "dmarc@mx.example.net" || f.Queue != 100 {
		t.Errorf("set: %+v", f)
	}
	for _, bad := range []string{"{enabled: true}", "{enabled: true, from: \"a@b, c@d\"}", "{enabled: true, from: x@mx.example.net, sendmail: \" \"}",
		"{per_domain_hour: 0}"} {
		if _, err := Parse("m.yml", []byte("dmarc: {failure_reports: "+bad+"}\n")); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
