package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// customRules rejects mail whose Subject matches subject.
func customRules(subject string) string {
	return `rules:
  - id: E2E_REJECT_SUBJECT
    ref: "e2e test rule"
    when:
      subject: "` + subject + `"
    action: reject
    reply: {code: 550, enhanced: 5.7.1, text: "e2e custom rule"}
`
}

// brokenRules has an unknown rule key at line 7, column 5.
const brokenRules = `rules:
  - id: E2E_REJECT_SUBJECT
    ref: "e2e test rule"
    when:
      subject: "e2e-reject-me"
    action: reject
    bogus_key: 1
`

// A broken rules file on SIGHUP leaves the running rules in force and the
// log names file:line:col; a valid file on SIGHUP replaces them.
func TestReloadKeepsRulesOnError(t *testing.T) {
	e := needEnv(t)
	rulesPath := filepath.Join(e.root, "d-"+slotReload+"-rules.yml")
	writeRules := func(text string) {
		t.Helper()
		if err := os.WriteFile(rulesPath, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeRules(customRules("e2e-reject-me"))
	d := ownDaemon(t, e, slotReload, e.dns.Addr(), []string{rulesPath})
	s := openSession(t, e.smtpAddr(slotReload), "client.example.test", "")
	sendSubject := func() reply {
		t.Helper()
		data := mail{Token: newToken(t), From: "<alice@" + goodDomain + ">", Subject: "e2e-reject-me"}.build()
		return mustSend(t, s, outMessage{From: "alice@" + goodDomain, To: []string{recipient}, Data: data})
	}
	rejected := func(when string) {
		t.Helper()
		if r := sendSubject(); r.Code != 550 || !strings.Contains(r.Text, "e2e custom rule") {
			t.Fatalf("%s: reply %v, want 550 by the custom rule", when, r)
		}
	}
	rejected("before reload")

	writeRules(brokenRules)
	if err := d.signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	pos := rulesPath + ":7:5"
	if _, err := d.waitLog(func(rec map[string]any) bool {
		return strings.Contains(logText(rec), pos)
	}, 10*time.Second); err != nil {
		t.Fatalf("reload of a broken file: no log line naming %s: %v", pos, err)
	}
	rejected("after the failed reload")
	if !d.running() {
		t.Fatal("milter91 exited after a failed reload")
	}

	writeRules(customRules("something-else"))
	if err := d.signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for r := sendSubject(); r.Code != 250; r = sendSubject() {
		if time.Now().After(deadline) {
			t.Fatalf("after a valid reload: reply %v, want 250 (the rule no longer matches)", r)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// logText is a log record's values that are strings, joined, for
// substring checks that do not depend on the field names.
func logText(rec map[string]any) string {
	var b strings.Builder
	for _, v := range rec {
		if s, ok := v.(string); ok {
			b.WriteString(s + "\n")
		}
	}
	return b.String()
}
