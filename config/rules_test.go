package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles writes name → content under a new directory and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Rules naming zones or lists the config does not have, or of the wrong
// kind, are errors at their positions in the rule file; CompileRules
// does not check them.
func TestLoadRulesChecksRefs(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"national.txt": "192.0.2.0/24\n",
		"rules.yml": `rules:
  - {id: A, ref: RFC 5782, score: 1, when: {dnsbl: nosuch.example.test}}
  - {id: B, ref: RFC 5782, score: 1, when: {blocklist: nolist}}
  - {id: C, ref: RFC 5782, score: 1, when: {allowlist: national}}
  - {id: D, ref: RFC 5782, score: 1, when: {dnsbl_tag: "bl.example.test:sbl", blocklist: national}}
  - {id: E, ref: RFC 5782, score: 1, when: {rhsbl: bl.example.test}}
`,
		"milter91.yml": "dnsbl:\n  zones:\n    - name: bl.example.test\nlists:\n  - name: national\n    path: national.txt\n" +
			"rules:\n  defaults: false\n  paths: [rules.yml]\n",
	})
	cfg, err := Load(filepath.Join(dir, "milter91.yml"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = cfg.LoadRules()
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 4 {
		t.Fatalf("LoadRules: %v, want 4 errors", err)
	}
	rulesFile := filepath.Join(dir, "rules.yml")
	for i, want := range []string{
		rulesFile + `:2:52: zone "nosuch.example.test" is not in dnsbl.zones of ` + cfg.Source + " (configured: bl.example.test)",
		rulesFile + `:3:56: blocklist: no block list "nolist" in lists of ` + cfg.Source + " (configured: national (block))",
		rulesFile + `:4:56: allowlist: no allow list "national"`,
		rulesFile + `:6:52: zone "bl.example.test" is of type ip, and this fact needs a zone of type domain`,
	} {
		if !strings.HasPrefix(list[i].Error(), want) {
			t.Errorf("error %d: %q, want it to start with %q", i, list[i].Error(), want)
		}
	}
	if set, err := cfg.CompileRules(); err != nil || len(set.Rules()) != 5 {
		t.Errorf("CompileRules: %v, want the 5 rules", err)
	}
}

// A rule path that cannot be read is reported at its rules.paths entry;
// a path given twice (the config's and an extra one) is read once.
func TestLoadRulesPaths(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"local.yml":    "rules:\n  - {id: LOCAL, ref: local, score: 1, when: {spf: fail}}\n",
		"missing.yml":  "rules:\n  defaults: false\n  paths:\n    - local.yml\n    - gone.yml\n",
		"milter91.yml": "rules:\n  defaults: false\n  paths: [local.yml]\n",
	})
	cfg, err := Load(filepath.Join(dir, "missing.yml"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = cfg.LoadRules()
	want := cfg.Source + ":5:7: rules.paths[1]: " + filepath.Join(dir, "gone.yml") + ": stat: no such file"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("LoadRules: %v, want %q", err, want)
	}
	if cfg, err = Load(filepath.Join(dir, "milter91.yml")); err != nil {
		t.Fatal(err)
	}
	if set, err := cfg.LoadRules(filepath.Join(dir, "local.yml")); err != nil || len(set.Rules()) != 1 {
		t.Errorf("LoadRules with the config's own file again: %v", err)
	}
}

// List files that cannot be opened are reported at their lists[].path
// entry; CheckListFiles also reports the bad lines of the others.
func TestListFiles(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"good.txt":   "192.0.2.0/24\n",
		"broken.txt": "192.0.2.0/24\n192.0.2.300\n",
		"milter91.yml": "lists:\n  - {name: good, path: good.txt}\n  - {name: broken, path: broken.txt}\n" +
			"  - {name: gone, path: gone.txt}\n",
	})
	cfg, err := Load(filepath.Join(dir, "milter91.yml"))
	if err != nil {
		t.Fatal(err)
	}
	atEntry := cfg.Source + `:4:24: lists[2] "gone": open ` + filepath.Join(dir, "gone.txt") + ": no such file"
	err = cfg.OpenListFiles()
	if err == nil || !strings.HasPrefix(err.Error(), atEntry) || strings.Contains(err.Error(), "broken") {
		t.Errorf("OpenListFiles: %v, want only %q", err, atEntry)
	}
	err = cfg.CheckListFiles()
	if err == nil || !strings.Contains(err.Error(), atEntry) || !strings.Contains(err.Error(), filepath.Join(dir, "broken.txt")+":2: ") {
		t.Errorf("CheckListFiles: %v, want the missing file at its entry and broken.txt:2", err)
	}
}
