package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"milter91/internal/txn"
)

const baseRules = `settings: {tag_at: 5, reject_at: 15}
rules:
  - id: SPF_FAIL
    description: base
    ref: RFC 7208 §8.4
    score: 4
    when: {spf: fail}
  - id: BLOCK
    ref: RFC 5782 §2.1
    action: reject
    reply: {code: 554, text: "blocked {zone}"}
    when: {dnsbl: "*"}
  - id: LAST
    ref: t
    score: 1
    when: {spf: fail}
`

func TestOverrideAndDisable(t *testing.T) {
	base := Source{Name: "base.yml", Data: []byte(baseRules)}
	listed := &txn.Facts{SPF: txn.SPF{Result: "fail"}, DNSBL: []txn.DNSBL{{Zone: "z.example.test", Sources: []string{"client"}, Listed: true}}}
	tests := []struct {
		name       string
		local      string
		wantScore  float64
		wantAction txn.Action
		wantReply  string
		wantIDs    string
	}{
		{"no override", "", 5, txn.ActionReject, "554 5.7.1 blocked z.example.test", "SPF_FAIL BLOCK LAST"},
		{"score override keeps place and other fields", "rules:\n  - {id: SPF_FAIL, override: true, score: 9}",
			10, txn.ActionReject, "554 5.7.1 blocked z.example.test", "SPF_FAIL BLOCK LAST"},
		{"action override drops inherited reply", "rules:\n  - {id: BLOCK, override: true, action: tempfail}",
			5, txn.ActionTempfail, "451 4.7.1 Message deferred by policy: BLOCK", "SPF_FAIL BLOCK LAST"},
		{"action none turns rule into score rule", "rules:\n  - {id: BLOCK, override: true, action: none, score: 20}",
			25, txn.ActionReject, "550 5.7.1 Message rejected as spam (score 25/15): SPF_FAIL, BLOCK, LAST", "SPF_FAIL BLOCK LAST"},
		{"reply override", "rules:\n  - {id: BLOCK, override: true, reply: {code: 550, enhanced: 5.7.1, text: go away}}",
			5, txn.ActionReject, "550 5.7.1 go away", "SPF_FAIL BLOCK LAST"},
		{"when override", "rules:\n  - {id: SPF_FAIL, override: true, when: {spf: softfail}}",
			1, txn.ActionReject, "554 5.7.1 blocked z.example.test", "BLOCK LAST"},
		{"disable", "disable: [BLOCK, LAST]", 4, txn.ActionAccept, "", "SPF_FAIL"},
		{"settings override", "settings: {override: true, tag_at: 3}\ndisable: BLOCK", 5, txn.ActionTag, "", "SPF_FAIL LAST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := mustCompile(t, base, Source{Name: "local.yml", Data: []byte(tt.local)})
			v := set.Evaluate(nil, listed)
			if v.Score != tt.wantScore || v.Action != tt.wantAction || v.Reply.String() != tt.wantReply {
				t.Errorf("got score %v %v %q, want %v %v %q", v.Score, v.Action, v.Reply.String(),
					tt.wantScore, tt.wantAction, tt.wantReply)
			}
			if got := strings.Join(v.RuleIDs(), " "); got != tt.wantIDs {
				t.Errorf("matched %q, want %q", got, tt.wantIDs)
			}
		})
	}
}

func TestOverrideIsCheckedAsAWhole(t *testing.T) {
	base := Source{Name: "base.yml", Data: []byte(baseRules)}
	local := Source{Name: "local.yml", Data: []byte("rules:\n  - {id: SPF_FAIL, override: true, action: tag, reply: {code: 550, text: x}}\n")}
	_, err := Compile([]Source{base, local})
	checkErrors(t, err, []string{"local.yml:2:56|rule SPF_FAIL: a reply needs action reject or tempfail"})
}

func TestRulesListing(t *testing.T) {
	set := mustCompile(t, Source{Name: "base.yml", Data: []byte(baseRules)},
		Source{Name: "local.yml", Data: []byte("disable: [LAST]\nrules:\n  - {id: SPF_FAIL, override: true, score: 2.5}\n")})
	got := set.Rules()
	if len(got) != 3 {
		t.Fatalf("Rules() has %d entries, want 3", len(got))
	}
	spf, block, last := got[0], got[1], got[2]
	if spf.ID != "SPF_FAIL" || spf.Score != 2.5 || spf.Description != "base" || spf.Ref != "RFC 7208 §8.4" ||
		spf.Forced || spf.Where != "base.yml:3:5" {
		t.Errorf("SPF_FAIL = %+v", spf)
	}
	if !block.Forced || block.Action != txn.ActionReject || block.Reply != (txn.Reply{Code: 554, Enhanced: "5.7.1", Text: "blocked {zone}"}) {
		t.Errorf("BLOCK = %+v", block)
	}
	if !last.Disabled || block.Disabled {
		t.Errorf("disabled flags: BLOCK %v LAST %v, want false true", block.Disabled, last.Disabled)
	}
	if s := set.Settings(); s != (Settings{TagAt: 5, RejectAt: 15}) {
		t.Errorf("Settings() = %+v", s)
	}
}

func TestLoadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("rules.d/20-local.yaml", "rules:\n  - {id: A, override: true, score: 7}\n")
	write("rules.d/10-base.yml", "rules:\n  - {id: A, ref: t, score: 1, when: {spf: fail}}\n")
	write("rules.d/notes.txt", "not yaml: [")
	write("rules.d/.#10-base.yml", "not yaml: [")
	write("rules.d/sub/30-deep.yml", "not yaml: [")
	extra := write("extra.yml", "settings: {tag_at: 6}\n")

	set, err := LoadFiles(filepath.Join(dir, "rules.d"), extra)
	if err != nil {
		t.Fatalf("LoadFiles: %v", err)
	}
	v := set.Evaluate(nil, &txn.Facts{SPF: txn.SPF{Result: "fail"}})
	if v.Score != 7 || v.Action != txn.ActionTag {
		t.Errorf("score %v action %v, want 7 tag (20-local overrides 10-base, extra sets tag_at)", v.Score, v.Action)
	}

	_, err = ReadPaths(filepath.Join(dir, "missing.yml"), filepath.Join(dir, "gone"))
	checkErrors(t, err, []string{
		filepath.Join(dir, "missing.yml") + "|no such file",
		filepath.Join(dir, "gone") + "|no such file",
	})

	bad := write("bad.yml", "rules:\n  - {id: A}\n")
	_, err = LoadFiles(bad)
	checkErrors(t, err, []string{bad + ":2:5|rule A: missing when", bad + ":2:5|missing ref", bad + ":2:5|needs a score"})
}

func TestBOMIgnored(t *testing.T) {
	src := Source{Name: "bom.yml", Data: []byte("\uFEFFrules:\n  - {id: X, ref: local, score: 1, when: {spf: fail}}\n")}
	if _, err := Compile([]Source{src}); err != nil {
		t.Errorf("BOM: %v", err)
	}
}
