package main

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"milter91/config"
	"milter91/rules"
)

func TestRulesLint(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.yml", `rules:
  - {id: LOCAL_HELO, ref: local policy, score: 1, when: {helo: "^localhost$"}}
`)
	typo := writeFile(t, dir, "typo.yml", "rules:\n  - id: LOCAL_X\n    ref: local policy\n    score: 1\n    when: {spf: fial}\n")
	syntax := writeFile(t, dir, "syntax.yml", "rules:\n  - id: [\n")
	shipped, err := rules.Compile(rules.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	n := len(shipped.Rules())
	tests := []struct {
		name   string
		args   []string
		code   int
		outHas string
		errRe  string // stderr must match
	}{
		{name: "defaults", code: 0, outHas: fmt.Sprintf("ok: %d rules", n)},
		{name: "good file", args: []string{good}, code: 0, outHas: fmt.Sprintf("ok: %d rules", n+1)},
		{name: "good file, no defaults", args: []string{"--no-defaults", good}, code: 0, outHas: "ok: 1 rules"},
		{name: "unknown value", args: []string{typo}, code: 1, errRe: regexp.QuoteMeta(typo) + `:5:\d+: .*fial`},
		{name: "YAML syntax", args: []string{syntax}, code: 1, errRe: regexp.QuoteMeta(syntax) + `:\d+:\d+: `},
		{name: "both bad files reported", args: []string{typo, syntax}, code: 1,
			errRe: `(?s)` + regexp.QuoteMeta(typo) + `:5:.*` + regexp.QuoteMeta(syntax) + `:\d+:`},
		{name: "missing file", args: []string{dir + "/missing.yml"}, code: 1, errRe: `missing\.yml`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCmd("", append([]string{"rules", "lint"}, tc.args...)...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", r.code, tc.code, r.stderr)
			}
			if !strings.Contains(r.stdout, tc.outHas) {
				t.Errorf("stdout %q, want %q", r.stdout, tc.outHas)
			}
			if tc.errRe != "" && !regexp.MustCompile(tc.errRe).MatchString(r.stderr) {
				t.Errorf("stderr %q, want match for %s", r.stderr, tc.errRe)
			}
		})
	}
}

func TestConfigDefault(t *testing.T) {
	r := runCmd("", "config", "default")
	if r.code != 0 || r.stdout == "" {
		t.Fatalf("exit %d, stdout %q", r.code, r.stdout)
	}
	cfg, err := config.Parse("default.yml", []byte(r.stdout))
	if err != nil {
		t.Fatalf("config.Parse of the printed default: %v", err)
	}
	if len(cfg.Listen) != 1 || cfg.Listen[0] != "inet:127.0.0.1:8891" || !cfg.Rules.Defaults {
		t.Errorf("parsed default listens on %v, rules.defaults %v; want inet:127.0.0.1:8891 and true", cfg.Listen, cfg.Rules.Defaults)
	}
}

func TestVersionAndUsage(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		outHas string
		errHas string
	}{
		{name: "version", args: []string{"version"}, code: 0, outHas: "milter91 " + version + " (revision "},
		{name: "--version", args: []string{"--version"}, code: 0, outHas: "milter91 " + version},
		{name: "help", args: []string{"help"}, code: 0, outHas: "usage:"},
		{name: "no command", code: 2, errHas: "usage:"},
		{name: "unknown command", args: []string{"frobnicate"}, code: 2, errHas: `unknown command "frobnicate"`},
		{name: "rules without lint", args: []string{"rules"}, code: 2, errHas: "usage:"},
		{name: "config without default", args: []string{"config", "show"}, code: 2, errHas: "usage:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCmd("", tc.args...)
			if r.code != tc.code || !strings.Contains(r.stdout, tc.outHas) || !strings.Contains(r.stderr, tc.errHas) {
				t.Errorf("exit %d stdout %q stderr %q; want %d, %q, %q", r.code, r.stdout, r.stderr, tc.code, tc.outHas, tc.errHas)
			}
		})
	}
}

// TestServeDoesNotStart covers the ways serve must fail before serving; no
// test here starts a server (signals would reach the whole test process;
// the e2e tests run the daemon).
func TestServeDoesNotStart(t *testing.T) {
	dir := t.TempDir()
	badYAML := writeFile(t, dir, "bad.yml", "authserv_id: mx.example.net\nfail_mode: maybe\n")
	badRules := writeFile(t, dir, "rules.yml", "rules:\n  - id: bad\n")
	withRules := writeFile(t, dir, "with-rules.yml", "rules:\n  paths: ["+badRules+"]\n")
	noDir := writeFile(t, dir, "nodir.yml", "listen: unix:"+dir+"/no/such/dir/milter.sock\n")
	token := writeFile(t, dir, "admin.token", "0123456789abcdef0123456789abcdef\n")
	if err := os.Chmod(token, 0o600); err != nil {
		t.Fatal(err)
	}
	badTLS := writeFile(t, dir, "tls.yml", "listen: inet:127.0.0.1:0\nadmin: {listen: \"127.0.0.1:0\", token_file: admin.token, "+
		"tls_cert: "+token+", tls_key: "+token+"}\n")
	badToken := writeFile(t, dir, "token.yml", "listen: inet:127.0.0.1:0\nadmin: {listen: \"127.0.0.1:0\", token_file: missing.token}\n")
	tests := []struct {
		name  string
		args  []string
		code  int
		errRe string
	}{
		{name: "bad config value", args: []string{"--config", badYAML}, code: 1, errRe: regexp.QuoteMeta(badYAML) + `:2:\d+: .*fail_mode`},
		{name: "missing config", args: []string{"--config", dir + "/missing.yml"}, code: 1, errRe: `missing\.yml`},
		{name: "bad rule file", args: []string{"--config", withRules, "--dns", "127.0.0.1:1"}, code: 1, errRe: regexp.QuoteMeta(badRules) + `:\d+:\d+: `},
		{name: "cannot listen", args: []string{"--config", noDir, "--dns", "127.0.0.1:1"}, code: 1, errRe: `milter\.sock`},
		{name: "admin TLS files not a key pair", args: []string{"--config", badTLS, "--dns", "127.0.0.1:1"}, code: 1, errRe: `admin\.tls_cert/tls_key`},
		{name: "admin token file missing", args: []string{"--config", badToken, "--dns", "127.0.0.1:1"}, code: 1, errRe: `admin\.token_file: .*missing\.token`},
		{name: "stray argument", args: []string{"extra"}, code: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCmd("", append([]string{"serve"}, tc.args...)...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", r.code, tc.code, r.stderr)
			}
			if tc.errRe != "" && !regexp.MustCompile(tc.errRe).MatchString(r.stderr) {
				t.Errorf("stderr %q, want match for %s", r.stderr, tc.errRe)
			}
		})
	}
}

func TestNeedRestart(t *testing.T) {
	old, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse("n.yml", []byte("listen: inet:127.0.0.1:9999\nlog: {format: json}\nrules: {paths: [/x]}\nlimits: {header_fields: 200}\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := needRestart(old, cfg)
	if !slices.Equal(got, []string{"listen", "log", "limits"}) {
		t.Errorf("needRestart = %v, want [listen log limits] (rules reload live)", got)
	}
}
