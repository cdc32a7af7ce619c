package main

import (
	"encoding/json"
	"flag"
	"io"
	"slices"
	"strings"
	"testing"

	"milter91/config"
	"milter91/internal/resolver"
)

func TestParseFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		json bool
		rcpt []string
		pos  []string
	}{
		{args: []string{"msg.eml", "--json"}, json: true, pos: []string{"msg.eml"}},
		{args: []string{"--rcpt", "a@example.net", "msg.eml", "--rcpt=b@example.net", "--json"}, json: true,
			rcpt: []string{"a@example.net", "b@example.net"}, pos: []string{"msg.eml"}},
		{args: []string{"a", "-", "b"}, pos: []string{"a", "-", "b"}},
		{args: []string{"a", "--", "--json", "-x"}, pos: []string{"a", "--json", "-x"}},
		{args: []string{"--json", "--", "--"}, json: true, pos: []string{"--"}},
		{args: nil},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		asJSON := fs.Bool("json", false, "")
		var rcpt multiFlag
		fs.Var(&rcpt, "rcpt", "")
		if err := parseFlags(fs, tc.args); err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if *asJSON != tc.json || !slices.Equal(rcpt, tc.rcpt) || !slices.Equal(fs.Args(), tc.pos) {
			t.Errorf("%q: json %v rcpt %q args %q; want %v %q %q", tc.args, *asJSON, rcpt, fs.Args(), tc.json, tc.rcpt, tc.pos)
		}
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := parseFlags(fs, []string{"msg.eml", "--bogus"}); err == nil {
		t.Error("an unknown flag after the file was accepted")
	}
}

// Flags after the positional argument count, as before it.
func TestFlagsAfterArguments(t *testing.T) {
	dns := startDNS(t)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "milter91.yml", baseConfig)
	msg := writeFile(t, dir, "msg.eml", unsigned)
	r := runCmd("", "check", msg, "--config", cfg, "--dns", dns.Addr(), "--ip", listedIP, "--rcpt", "bob@example.net", "--json")
	if r.code != 0 {
		t.Fatalf("check FILE --json …: exit %d, stderr %s", r.code, r.stderr)
	}
	if c := decodeCheck(t, r.stdout); c.Action != "reject" || len(c.DNSBL) != 1 || !c.DNSBL[0].Listed {
		t.Errorf("check FILE --json …: action %q dnsbl %+v, want reject with the listing", c.Action, c.DNSBL)
	}
	r = runCmd("", "dnsbl", "check", listedIP, "--config", cfg, "--dns", dns.Addr(), "--json")
	var got struct {
		Target string `json:"target"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); r.code != 0 || err != nil || got.Target != listedIP {
		t.Errorf("dnsbl check IP --json: exit %d, %v, stdout %q stderr %q", r.code, err, r.stdout, r.stderr)
	}
	rules := writeFile(t, dir, "bad.yml", "rules:\n  - {id: X, ref: RFC 1, score: 1, when: {dnsbl: nowhere.example.test}}\n")
	if r := runCmd("", "rules", "lint", rules, "--config", cfg); r.code != 1 || !strings.Contains(r.stderr, "nowhere.example.test") {
		t.Errorf("rules lint FILE --config: exit %d, stderr %q; want the undefined zone reported", r.code, r.stderr)
	}
}

// check names the resolver it asked, and where its servers came from.
func TestCheckNamesResolver(t *testing.T) {
	dns := startDNS(t)
	dir := t.TempDir()
	msg := writeFile(t, dir, "msg.eml", unsigned)
	plain := writeFile(t, dir, "plain.yml", baseConfig)
	withServers := writeFile(t, dir, "servers.yml", strings.Replace(baseConfig, "dns:\n", "dns:\n  servers: [\""+dns.Addr()+"\"]\n", 1))
	for _, tc := range []struct {
		name string
		args []string
		src  string
	}{
		{name: "--dns", args: []string{"--config", plain, "--dns", dns.Addr()}, src: "--dns"},
		{name: "dns.servers", args: []string{"--config", withServers}, src: "dns.servers"},
	} {
		args := append([]string{"check", "--ip", cleanIP, msg}, tc.args...)
		r := runCmd("", args...)
		if want := "resolver: " + dns.Addr() + " (" + tc.src + ")\n"; r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("%s: exit %d, stdout lacks %q:\n%s%s", tc.name, r.code, want, r.stdout, r.stderr)
		}
		r = runCmd("", append(args, "--json")...)
		var got struct {
			Resolver resolverInfo `json:"resolver"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || got.Resolver.Source != tc.src || !slices.Equal(got.Resolver.Servers, []string{dns.Addr()}) {
			t.Errorf("%s --json: resolver %+v (%v), want %s from %s", tc.name, got.Resolver, err, dns.Addr(), tc.src)
		}
	}
}

func TestResolverOfResolvConf(t *testing.T) {
	res, err := resolver.New(resolver.Config{Servers: []string{"127.0.0.1:53"}})
	if err != nil {
		t.Fatal(err)
	}
	var c common
	if got := c.resolverOf(&config.Config{}, res); got.Source != resolvConf || got.String() != "127.0.0.1:53 ("+resolvConf+")" {
		t.Errorf("no --dns, no dns.servers: %+v %q", got, got)
	}
}
