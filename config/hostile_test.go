package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// A YAML tag is refused at its position: `servers: !x` made go-yaml
// v1.19.2 panic (a nil ArrayNodeIter), which killed serve and, on SIGHUP,
// a running daemon.
func TestParseRefusesTags(t *testing.T) {
	tests := []struct{ src, want string }{
		{"dns:\n  servers: !x\n", "t.yml:2:12: "},
		{"dns:\n  servers: !x 127.0.0.1\n", "t.yml:2:12: "},
		{"dns:\n  servers: !!str\n", "t.yml:2:12: "},
		{"lists: !x\n", "t.yml:1:8: "},
		{"decree91:\n  labels: !x\n", "t.yml:2:11: "},
		{"dns:\n  retries: !x\n", "t.yml:2:12: "},
		{"dns:\n  timeout: !x\n", "t.yml:2:12: "},
		{"dns: !x\n", "t.yml:1:6: "},
		{"listen: !x\n", "t.yml:1:9: "},
		{"socket_mode: !!str 0600\n", "t.yml:1:14: "},
		{"dnsbl:\n  zones:\n    - name: !x bl.example.test\n", "t.yml:3:13: "},
	}
	for _, tc := range tests {
		list := parseErrors(t, tc.src)
		if list == nil {
			continue
		}
		if got := list.Error(); !strings.HasPrefix(got, tc.want) || !strings.Contains(got, "tag") {
			t.Errorf("Parse(%q) = %q, want %q… naming the tag", tc.src, got, tc.want)
		}
	}
}

// An admin types flow style too: `dns: {servers: [127.0.0.1:35353]}` read
// the address as the mapping {127.0.0.1: 35353} (a go-yaml scanner bug in
// flow sequences inside flow mappings).
func TestParseFlowStyle(t *testing.T) {
	src := `{listen: [inet:127.0.0.1:8891, inet:8892@127.0.0.1], metrics_listen: 127.0.0.1:9100,
dns: {servers: [127.0.0.1:35353, "[::1]:53", 127.0.0.2], timeout: 1s, retries: 1},
dnsbl: {max_queries: 10, zones: [{name: bl.example.test, sources: [client, url],
  codes: [{tag: sbl, match: 127.0.0.2}, {tag: pbl, match: 127.0.0.10/31}], error_codes: [127.0.0.255]}]},
lists: [{name: national, path: /etc/milter91/national.txt, early: reject}, {name: ok, path: ok.csv, kind: allow}],
decree91: {outbound_listeners: [inet:8892@127.0.0.1], labels: ["[QC]"], product_headers: [List-Id, X-Product]},
admin: {listen: 127.0.0.1:9192, token_file: admin.token},
log: {format: json, level: debug}}
`
	c, err := Parse("t.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what      string
		got, want []string
	}{
		{"listen", c.Listen, []string{"inet:127.0.0.1:8891", "inet:8892@127.0.0.1"}},
		{"dns.servers", c.DNS.Servers, []string{"127.0.0.1:35353", "[::1]:53", "127.0.0.2"}},
		{"dnsbl.zones[0].sources", c.DNSBL.Zones[0].Sources, []string{"client", "url"}},
		{"dnsbl.zones[0].error_codes", c.DNSBL.Zones[0].ErrorCodes, []string{"127.0.0.255"}},
		{"codes", []string{c.DNSBL.Zones[0].Codes[0].Match, c.DNSBL.Zones[0].Codes[1].Match}, []string{"127.0.0.2", "127.0.0.10/31"}},
		{"lists", []string{c.Lists[0].Name, c.Lists[0].Path, c.Lists[1].Kind}, []string{"national", "/etc/milter91/national.txt", "allow"}},
		{"outbound_listeners", c.Decree.OutboundListeners, []string{"inet:8892@127.0.0.1"}},
		{"product_headers", c.Decree.ProductHeaders, []string{"List-Id", "X-Product"}},
		{"listens", []string{c.MetricsListen, c.Admin.Listen, c.Log.Format}, []string{"127.0.0.1:9100", "127.0.0.1:9192", "json"}},
	}
	for _, ck := range checks {
		if !slices.Equal(ck.got, ck.want) {
			t.Errorf("%s = %q, want %q", ck.what, ck.got, ck.want)
		}
	}
	if c.DNS.Retries != 1 || c.DNSBL.MaxQueries != 10 || c.DNS.Timeout.String() != "1s" {
		t.Errorf("dns.retries %d, dnsbl.max_queries %d, dns.timeout %s; want 1, 10, 1s", c.DNS.Retries, c.DNSBL.MaxQueries, c.DNS.Timeout)
	}
}

// Each section in flow style on its own line of a block document, the
// form admins paste from the README.
func TestParseFlowStylePerSection(t *testing.T) {
	tests := []struct {
		src  string
		want func(*Config) bool
	}{
		{"dns: {servers: [127.0.0.1:35353]}\n", func(c *Config) bool { return slices.Equal(c.DNS.Servers, []string{"127.0.0.1:35353"}) }},
		{"dns:\n  servers: [127.0.0.1:35353, 127.0.0.1:35354]\n", func(c *Config) bool { return len(c.DNS.Servers) == 2 }},
		{"listen: [inet:127.0.0.1:8891]\ndecree91: {outbound_listeners: [inet:127.0.0.1:8891]}\n",
			func(c *Config) bool { return slices.Equal(c.Decree.OutboundListeners, []string{"inet:127.0.0.1:8891"}) }},
		{"dnsbl: {zones: [{name: bl.example.test, error_codes: [127.0.0.255, 127.0.1.0/24]}]}\n",
			func(c *Config) bool { return len(c.DNSBL.Zones) == 1 && len(c.DNSBL.Zones[0].ErrorCodes) == 2 }},
		{"rules: {paths: [/etc/milter91/rules.d, local.yml]}\n", func(c *Config) bool { return len(c.Rules.Paths) == 2 }},
		{"admin: {listen: 127.0.0.1:9192, token_file: t}\n", func(c *Config) bool { return c.Admin.Listen == "127.0.0.1:9192" }},
		{"archive: {store: \"postgres://m91@127.0.0.1:5432/m91\", queue: 100, batch: 10}\n",
			func(c *Config) bool {
				return c.Archive.Store == "postgres://m91@127.0.0.1:5432/m91" && c.Archive.Batch == 10
			}},
		{"lists: [{name: a, path: /x/a.txt, sources: [client, helo]}]\n", func(c *Config) bool { return len(c.Lists[0].Sources) == 2 }},
	}
	for _, tc := range tests {
		c, err := Parse("t.yml", []byte(tc.src))
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.src, err)
			continue
		}
		if !tc.want(c) {
			t.Errorf("Parse(%q): unexpected config %+v", tc.src, c)
		}
	}
}

// A panic in the YAML library is an error at 1:1 naming it, not a crash:
// serve then exits with that line, and a reload keeps the running config.
func TestParseRecoversLibraryPanic(t *testing.T) {
	orig := unmarshal
	t.Cleanup(func() { unmarshal = orig })
	unmarshal = func([]byte, any, ...yaml.DecodeOption) error {
		var it *ast.ArrayNodeIter
		_ = it.Len() // the nil iterator of go-yaml v1.19.2
		return nil
	}
	cfg, err := Parse("t.yml", []byte("dns:\n  timeout: 1s\n"))
	var list ErrorList
	if cfg != nil || !errors.As(err, &list) || len(list) != 1 || !list[0].Internal {
		t.Fatalf("Parse = %v, %#v; want one Internal Error", cfg, err)
	}
	if got := err.Error(); !strings.HasPrefix(got, "t.yml:1:1: YAML parser failed: runtime error: invalid memory address") ||
		!strings.Contains(got, "ast.(*ArrayNodeIter).Len") {
		t.Errorf("error %q, want t.yml:1:1, the panic and the function", got)
	}
}

// Deep nesting is refused before go-yaml, whose time and memory grow with
// the square of the depth, sees it.
func TestParseBoundsNesting(t *testing.T) {
	src := "dns: {servers: " + strings.Repeat("[", 100_000) + "\n"
	list := parseErrors(t, src)
	if list != nil && list.Error() != "t.yml:1:79: YAML nested too deeply" {
		t.Errorf("got %q, want t.yml:1:79: YAML nested too deeply", list.Error())
	}
}

func TestErrorAt(t *testing.T) {
	c, err := Parse("t.yml", []byte("log: {level: debug}\nrules:\n  paths:\n    - a.yml\n    - b.yml\n"))
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"rules.paths[1]": "t.yml:5:7: missing",
		"rules.paths[7]": "t.yml:4:5: missing", // no such item: the list
		"lists[0].path":  "t.yml: missing",     // a default value: no position
	} {
		if got := c.ErrorAt(key, "missing").Error(); got != want {
			t.Errorf("ErrorAt(%q) = %q, want %q", key, got, want)
		}
	}
}

// aliasBomb is a config of n anchors, each a mapping that merges the one
// before twice: a 1.5 KiB file the decoder expands to 2^n mappings (n=25
// took 17 s in yaml.Unmarshal, n=40 would take days).
func aliasBomb(n int) string {
	var b strings.Builder
	b.WriteString("a0: &a0 {k0: v}\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "a%d: &a%d {<<: [*a%d, *a%d], k%d: v}\n", i, i, i-1, i-1, i)
	}
	return b.String()
}

// Aliases that expand a small file into millions of nodes ("billion
// laughs") are refused before the decoder expands them, at the alias
// that passes the bound; anchors used a few times still work.
func TestParseBoundsAliasExpansion(t *testing.T) {
	for _, src := range []string{
		aliasBomb(22),
		"x: &x [" + strings.Repeat("a,", 999) + "a]\n" + "dns:\n  servers: [" + strings.Repeat("*x,", 200) + "*x]\n",
	} {
		list := parseErrors(t, src)
		if list != nil && !strings.Contains(list.Error(), "YAML aliases expand") {
			t.Errorf("%.60q: got %q, want YAML aliases expand …", src, list.Error())
		}
	}
	c, err := Parse("t.yml", []byte("dnsbl:\n  zones:\n    - name: a.example.test\n      codes: &c [{tag: sbl, match: 127.0.0.2}]\n"+
		"    - name: b.example.test\n      codes: *c\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.DNSBL.Zones) != 2 || len(c.DNSBL.Zones[1].Codes) != 1 || c.DNSBL.Zones[1].Codes[0].Match != "127.0.0.2" {
		t.Errorf("zones %+v, want the second with the first's codes", c.DNSBL.Zones)
	}
}
