package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDNSBLCheck(t *testing.T) {
	dns := startDNS(t)
	dir := t.TempDir()
	writeFile(t, dir, "national.txt", "127.0.0.0/30\nspam.example.org\n")
	writeFile(t, dir, "authority.csv", "entry,reference,date\nads.example.net,1234/QD-BTTTT,2026-11-02\n")
	cfg := writeFile(t, dir, "milter91.yml", `dns:
  timeout: 1s
  retries: 0
dnsbl:
  zones:
    - name: bl.example.test
    - name: dbl.example.test
      type: domain
lists:
  - name: national
    path: national.txt
  - name: authority
    path: authority.csv
`)
	cases := []struct {
		name     string
		args     []string
		code     int
		contains []string
	}{
		{name: "listed IP", args: []string{"127.0.0.2"}, contains: []string{
			"bl.example.test", "2.0.0.127.bl.example.test", "listed", "127.0.0.2",
			"list national (block): entry 127.0.0.0/30"}},
		// bl.example.test lists its 127.0.0.2 test point but the domain
		// zone has no "test" entry: it fails its health check.
		{name: "domain", args: []string{"www.spam.example.org"}, contains: []string{
			"dbl.example.test", "example.org.dbl.example.test", "blocked", "failed",
			"RFC 5782 §5 test point test.dbl.example.test not listed", "list national (block): entry spam.example.org"}},
		{name: "authority request", args: []string{"news.ads.example.net"}, contains: []string{
			"list authority (block): entry ads.example.net, authority request 1234/QD-BTTTT of 2026-11-02"}},
		{name: "one zone", args: []string{"--zone", "bl.example.test", "127.0.0.9"}, contains: []string{"9.0.0.127.bl.example.test", "notlisted"}},
		{name: "unknown zone", args: []string{"--zone", "other.example.test", "127.0.0.9"}, code: 1, contains: []string{`zone "other.example.test"`}},
		{name: "no target", args: nil, code: 2, contains: []string{"need one IP address or domain"}},
		{name: "address", args: []string{"spammer@www.spam.example.org"}, contains: []string{"example.org.dbl.example.test", "list national (block): entry spam.example.org"}},
		{name: "not a target", args: []string{"not a domain!"}, code: 2, contains: []string{`"not a domain!": not an IP address or a domain name`}},
		{name: "empty labels", args: []string{"a..example.org"}, code: 2, contains: []string{"not an IP address or a domain name"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"dnsbl", "check", "--config", cfg, "--dns", dns.Addr()}, tc.args...)
			r := runCmd("", args...)
			out := r.stdout + r.stderr
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d:\n%s", r.code, tc.code, out)
			}
			for _, want := range tc.contains {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
	r := runCmd("", "dnsbl", "check", "--config", cfg, "--dns", dns.Addr(), "--json", "127.0.0.2")
	var got struct {
		Zones []dnsblRow     `json:"zones"`
		Lists []dnsblListRow `json:"lists"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got.Zones) != 1 || got.Zones[0].Health != "ok" || len(got.Lists) != 1 {
		t.Errorf("JSON %s (%v)", r.stdout, err)
	}
}

// Rules naming zones or lists the config does not have are errors at
// their positions, for lint and serve alike.
func TestRulesNameUnknownZonesAndLists(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "national.txt", "192.0.2.0/24\n")
	writeFile(t, dir, "rules.yml", `rules:
  - {id: A, ref: RFC 5782, score: 1, when: {dnsbl: nosuch.example.test}}
  - {id: B, ref: RFC 5782, score: 1, when: {blocklist: nolist}}
  - {id: C, ref: RFC 5782, score: 1, when: {allowlist: national}}
  - {id: D, ref: RFC 5782, score: 1, when: {dnsbl_tag: "bl.example.test:sbl", blocklist: national}}
  - {id: E, ref: RFC 5782, score: 1, when: {rhsbl: bl.example.test}}
`)
	cfg := writeFile(t, dir, "milter91.yml", `dnsbl:
  zones:
    - name: bl.example.test
lists:
  - name: national
    path: national.txt
rules:
  paths: [rules.yml]
`)
	r := runCmd("", "rules", "lint", "--config", cfg)
	for _, want := range []string{
		`rules.yml:2:52: zone "nosuch.example.test" is not in dnsbl.zones`,
		`rules.yml:3:56: blocklist: no block list "nolist"`,
		`rules.yml:4:56: allowlist: no allow list "national"`,
		`rules.yml:6:52: zone "bl.example.test" is of type ip, and this fact needs a zone of type domain`,
	} {
		if !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("lint output lacks %q:\n%s%s", want, r.stdout, r.stderr)
		}
	}
	if r.code != 1 || strings.Contains(r.stdout+r.stderr, "rules.yml:5:") {
		t.Errorf("exit %d, output:\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Without --config there is no daemon config to check names against.
	if r := runCmd("", "rules", "lint", dir+"/rules.yml"); r.code != 0 {
		t.Errorf("lint without --config: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
}
