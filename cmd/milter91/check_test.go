package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// checkJSON is the `check --json` object as the issue specifies it; the
// test decodes into it, so a renamed key leaves a field empty.
type checkJSON struct {
	Action    string   `json:"action"`
	Score     *float64 `json:"score"`
	SMTPReply *struct {
		Code     int    `json:"code"`
		Enhanced string `json:"enhanced"`
		Text     string `json:"text"`
	} `json:"smtp_reply"`
	Rules []struct {
		ID     string   `json:"id"`
		Score  *float64 `json:"score"`
		Ref    string   `json:"ref"`
		Detail string   `json:"detail"`
	} `json:"rules"`
	Auth struct {
		SPF struct {
			Result string `json:"result"`
		} `json:"spf"`
		DKIM []struct {
			Domain   string `json:"domain"`
			Selector string `json:"selector"`
			Result   string `json:"result"`
		} `json:"dkim"`
		DMARC struct {
			Result string `json:"result"`
			Policy string `json:"policy"`
		} `json:"dmarc"`
	} `json:"auth"`
	DNSBL []struct {
		Zone    string   `json:"zone"`
		Answer  []string `json:"answer"`
		Listed  bool     `json:"listed"`
		Blocked bool     `json:"blocked"`
	} `json:"dnsbl"`
	Headers []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"headers"`
}

// requiredKeys must be present at the top level, null or not.
var requiredKeys = []string{"action", "score", "smtp_reply", "rules", "auth", "dnsbl", "headers"}

// decodeCheck parses stdout strictly enough to catch missing keys.
func decodeCheck(t *testing.T, stdout string) checkJSON {
	t.Helper()
	var keys map[string]json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &keys); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout)
	}
	for _, k := range requiredKeys {
		if _, ok := keys[k]; !ok {
			t.Errorf("JSON has no %q key:\n%s", k, stdout)
		}
	}
	var c checkJSON
	if err := json.Unmarshal([]byte(stdout), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCheckJSON(t *testing.T) {
	dns := startDNS(t)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "milter91.yml", baseConfig)
	tests := []struct {
		name     string
		msg      string
		ip       string
		action   string
		code     int
		enhanced string
		textHas  string
		rule     string
		ref      string
		dkim     string // result of the one signature, "" for none
		dmarc    string
		listed   bool
	}{
		{name: "dmarc reject", msg: unsigned, ip: cleanIP, action: "reject", code: 550, enhanced: "5.7.26",
			textHas: "DMARC policy of example.com", rule: "DMARC_REJECT", ref: "RFC 9989 §5.4, §7.4", dmarc: "fail"},
		{name: "dnsbl listed", msg: "", ip: listedIP, action: "reject", code: 554, enhanced: "5.7.1",
			textHas: "blocked using bl.example.test", rule: "DNSBL_LISTED", ref: "RFC 5782 §2.1", dkim: "pass", dmarc: "pass", listed: true},
		{name: "signed, clean", msg: "", ip: cleanIP, action: "accept", rule: "SPF_FAIL", ref: "RFC 7208 §8.4", dkim: "pass", dmarc: "pass"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := tc.msg
			if msg == "" {
				msg = signed(t)
			}
			path := writeFile(t, dir, "msg.eml", msg)
			r := runCmd("", "check", "--config", cfg, "--dns", dns.Addr(), "--ip", tc.ip,
				"--helo", "mail.example.com", "--from", "alice@example.com", "--rcpt", "bob@example.net", "--json", path)
			if r.code != 0 {
				t.Fatalf("exit %d, want 0 (any verdict); stderr:\n%s", r.code, r.stderr)
			}
			c := decodeCheck(t, r.stdout)
			if c.Action != tc.action || c.Score == nil {
				t.Errorf("action %q score %v, want %q and a score", c.Action, c.Score, tc.action)
			}
			checkReply(t, c, tc.code, tc.enhanced, tc.textHas)
			checkRule(t, c, tc.rule, tc.ref)
			if c.Auth.SPF.Result != "fail" || c.Auth.DMARC.Result != tc.dmarc || c.Auth.DMARC.Policy != "reject" {
				t.Errorf("auth %+v, want spf fail, dmarc %s policy reject", c.Auth, tc.dmarc)
			}
			checkDKIM(t, c, tc.dkim)
			if len(c.DNSBL) != 1 || c.DNSBL[0].Zone != blZone || c.DNSBL[0].Listed != tc.listed || c.DNSBL[0].Blocked {
				t.Errorf("dnsbl %+v, want one %s entry listed=%v", c.DNSBL, blZone, tc.listed)
			}
			if tc.listed && (len(c.DNSBL[0].Answer) != 1 || c.DNSBL[0].Answer[0] != "127.0.0.2") {
				t.Errorf("dnsbl answer %v, want [127.0.0.2]", c.DNSBL[0].Answer)
			}
			checkHeaders(t, c, tc.action)
		})
	}
}

func checkReply(t *testing.T, c checkJSON, code int, enhanced, textHas string) {
	t.Helper()
	if code == 0 {
		if c.SMTPReply != nil {
			t.Errorf("smtp_reply %+v, want null", *c.SMTPReply)
		}
		return
	}
	if c.SMTPReply == nil {
		t.Fatalf("smtp_reply null, want %d %s", code, enhanced)
	}
	if r := *c.SMTPReply; r.Code != code || r.Enhanced != enhanced || !strings.Contains(r.Text, textHas) {
		t.Errorf("smtp_reply %+v, want %d %s …%s…", r, code, enhanced, textHas)
	}
}

func checkRule(t *testing.T, c checkJSON, id, ref string) {
	t.Helper()
	for _, m := range c.Rules {
		if m.ID == id {
			if m.Ref != ref || m.Detail == "" || m.Score == nil {
				t.Errorf("rule %+v, want ref %q, a detail and a score", m, ref)
			}
			return
		}
	}
	t.Errorf("rules %+v, want %s", c.Rules, id)
}

func checkDKIM(t *testing.T, c checkJSON, result string) {
	t.Helper()
	if result == "" {
		if c.Auth.DKIM == nil || len(c.Auth.DKIM) != 0 {
			t.Errorf("dkim %+v, want an empty list", c.Auth.DKIM)
		}
		return
	}
	if len(c.Auth.DKIM) != 1 {
		t.Fatalf("dkim %+v, want one signature", c.Auth.DKIM)
	}
	if d := c.Auth.DKIM[0]; d.Domain != "example.com" || d.Selector != "s1" || d.Result != result {
		t.Errorf("dkim %+v, want example.com s1 %s", d, result)
	}
}

// checkHeaders: an accepted message gets our Authentication-Results; a
// rejected one gets no header.
func checkHeaders(t *testing.T, c checkJSON, action string) {
	t.Helper()
	if action == "reject" {
		if len(c.Headers) != 0 {
			t.Errorf("headers %+v for a rejected message", c.Headers)
		}
		return
	}
	for _, h := range c.Headers {
		if h.Name == "Authentication-Results" && strings.HasPrefix(h.Value, authservID+";") {
			return
		}
	}
	t.Errorf("headers %+v, want Authentication-Results: %s; …", c.Headers, authservID)
}

func TestCheckHumanAndStdin(t *testing.T) {
	dns := startDNS(t)
	cfg := writeFile(t, t.TempDir(), "milter91.yml", baseConfig)
	r := runCmd(unsigned, "check", "--config", cfg, "--dns", dns.Addr(), "--ip", cleanIP,
		"--from", "alice@example.com", "-")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	for _, want := range []string{
		"action: reject",
		"reply:  550 5.7.26 DMARC policy of example.com rejects this message",
		"rule:   DMARC_REJECT",
		"rule:   SPF_FAIL",
		"spf:    fail",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestCheckErrors(t *testing.T) {
	dir := t.TempDir()
	msg := writeFile(t, dir, "msg.eml", unsigned)
	badCfg := writeFile(t, dir, "bad.yml", "authserv_id: mx.example.net\ndns:\n  timeout: soon\n")
	tests := []struct {
		name   string
		args   []string
		code   int
		errHas string
	}{
		{name: "no --ip", args: []string{msg}, code: 2, errHas: "--ip"},
		{name: "bad --ip", args: []string{"--ip", "mx.example.net", msg}, code: 2, errHas: "--ip"},
		{name: "no file", args: []string{"--ip", cleanIP}, code: 2, errHas: "FILE"},
		{name: "two files", args: []string{"--ip", cleanIP, msg, msg}, code: 2, errHas: "FILE"},
		{name: "unknown flag", args: []string{"--ip", cleanIP, "--nope", msg}, code: 2, errHas: "nope"},
		{name: "unreadable file", args: []string{"--dns", "127.0.0.1:1", "--ip", cleanIP, dir + "/missing.eml"}, code: 1, errHas: "missing.eml"},
		{name: "bad --config", args: []string{"--config", badCfg, "--ip", cleanIP, msg}, code: 1, errHas: badCfg + ":3:"},
		{name: "bad --dns", args: []string{"--dns", "dns.example.net:53", "--ip", cleanIP, msg}, code: 1, errHas: "--dns"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCmd("", append([]string{"check"}, tc.args...)...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.errHas) {
				t.Errorf("exit %d stderr %q, want %d and %q", r.code, r.stderr, tc.code, tc.errHas)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing on error", r.stdout)
			}
		})
	}
}

// Under mode: observe check says so: the reject it prints is the
// would-be verdict, and serve would deliver the message.
func TestCheckObserveMode(t *testing.T) {
	dns := startDNS(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		mode     string
		observed bool
	}{{"observe", true}, {"enforce", false}} {
		cfg := writeFile(t, dir, tc.mode+".yml", baseConfig+"mode: "+tc.mode+"\n")
		r := runCmd(unsigned, "check", "--config", cfg, "--dns", dns.Addr(), "--ip", cleanIP, "--from", "alice@example.com", "-")
		if r.code != 0 || !strings.Contains(r.stdout, "action: reject") {
			t.Fatalf("%s: exit %d, stdout:\n%s\nstderr:\n%s", tc.mode, r.code, r.stdout, r.stderr)
		}
		if got := strings.Contains(r.stdout, "mode:   observe"); got != tc.observed {
			t.Errorf("%s: says observe %v, want %v:\n%s", tc.mode, got, tc.observed, r.stdout)
		}
		j := runCmd(unsigned, "check", "--config", cfg, "--dns", dns.Addr(), "--ip", cleanIP, "--from", "alice@example.com", "--json", "-")
		if got := strings.Contains(j.stdout, `"observed": true`); got != tc.observed {
			t.Errorf("%s: json observed %v, want %v", tc.mode, got, tc.observed)
		}
	}
}
