package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// rules lint --config loads the list files the config names, as serve
// does: a bad line is path:line: reason, a file that is missing (a list or
// a rule path) is reported at its entry in the config file.
func TestRulesLintChecksConfigFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "national.csv", "ip,reason\n127.0.0.2,spam\n")
	writeFile(t, dir, "broken.csv", "ip,reason\n127.0.0.2,spam\n127.0.0.300,typo\n")
	writeFile(t, dir, "local.yml", "rules:\n  - {id: LOCAL_NAT, ref: local, score: 1, when: {blocklist: national}}\n")
	cfg := func(name, body string) string { return writeFile(t, dir, name, body) }
	good := cfg("good.yml", "lists:\n  - {name: national, path: national.csv}\nrules:\n  paths: [local.yml]\n")
	badLine := cfg("badline.yml", "lists:\n  - {name: national, path: broken.csv}\nrules:\n  paths: [local.yml]\n")
	noList := cfg("nolist.yml", "lists:\n  - name: national\n    path: gone.csv\nrules:\n  paths: [local.yml]\n")
	noRules := cfg("norules.yml", "lists:\n  - {name: national, path: broken.csv}\nrules:\n  paths:\n    - local.yml\n    - missing.yml\n")
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.csv"), 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := cfg("fifo.yml", "lists:\n  - {name: national, path: fifo.csv}\nrules:\n  paths: [local.yml]\n")
	q := regexp.QuoteMeta
	tests := []struct {
		name, config string
		code         int
		outHas       string
		errRes       []string // each must match stderr
	}{
		{name: "good", config: good, code: 0, outHas: "rules, 1 list files"},
		{name: "bad list line", config: badLine, code: 1, errRes: []string{`(?m)^` + q(dir+"/broken.csv") + `:3: "127\.0\.0\.300": `}},
		{name: "missing list file", config: noList, code: 1,
			errRes: []string{`(?m)^` + q(noList) + `:3:11: lists\[0\] "national": open ` + q(dir+"/gone.csv") + `: no such file`}},
		// A FIFO blocked the open for ever (and serve's start and reload).
		{name: "list file a FIFO", config: fifo, code: 1,
			errRes: []string{`(?m)^` + q(fifo) + `:2:28: lists\[0\] "national": ` + q(dir+"/fifo.csv") + ` is not a regular file \(a FIFO\)`}},
		{name: "missing rule file and bad list line", config: noRules, code: 1, errRes: []string{
			`(?m)^` + q(noRules) + `:6:7: rules\.paths\[1\]: ` + q(dir+"/missing.yml") + `: stat: no such file`,
			`(?m)^` + q(dir+"/broken.csv") + `:3: `}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCmd("", "rules", "lint", "--config", tc.config)
			if r.code != tc.code || !strings.Contains(r.stdout, tc.outHas) {
				t.Errorf("exit %d stdout %q, want %d and %q; stderr:\n%s", r.code, r.stdout, tc.code, tc.outHas, r.stderr)
			}
			for _, re := range tc.errRes {
				if !regexp.MustCompile(re).MatchString(r.stderr) {
					t.Errorf("stderr %q, want a match for %s", r.stderr, re)
				}
			}
		})
	}
}

// serve refuses to start on a missing rule or list file, naming the
// config entry.
func TestServeNamesMissingFilesAtConfigEntry(t *testing.T) {
	dir := t.TempDir()
	noRules := writeFile(t, dir, "norules.yml", "listen: inet:127.0.0.1:0\nrules: {paths: [missing.yml]}\n")
	noList := writeFile(t, dir, "nolist.yml", "listen: inet:127.0.0.1:0\nlists: [{name: national, path: gone.txt}]\n")
	for cfg, re := range map[string]string{
		noRules: regexp.QuoteMeta(noRules) + `:2:17: rules\.paths\[0\]: .*missing\.yml: stat: no such file`,
		noList:  regexp.QuoteMeta(noList) + `:2:32: lists\[0\] "national": open .*gone\.txt: no such file`,
	} {
		r := runCmd("", "serve", "--config", cfg, "--dns", "127.0.0.1:1")
		if r.code != 1 || !regexp.MustCompile(re).MatchString(r.stderr) {
			t.Errorf("serve --config %s: exit %d, stderr %q; want 1 and a match for %s", cfg, r.code, r.stderr, re)
		}
	}
}
