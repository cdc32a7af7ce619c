package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// slotReloadYAML is TestReloadBadYAMLKeepsConfig's daemon.
const slotReloadYAML = "reload-yaml"

func init() { slotNames = append(slotNames, slotReloadYAML) }

// A config with a YAML tag on a list (`servers: !x`, which made go-yaml
// v1.19.2 panic and so ended the daemon) is refused on SIGHUP: the daemon
// keeps running the old config and rules, logs the error at the tag's
// file:line:col, and /v1/health tells of the failed reload. The same
// config written in flow style (`dns: {…: [127.0.0.1:PORT]}`) then
// reloads and clears it.
func TestReloadBadYAMLKeepsConfig(t *testing.T) {
	e := needEnv(t)
	dir := filepath.Join(e.root, "d-"+slotReloadYAML)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	rulesPath := filepath.Join(dir, "rules.yml")
	if err := os.WriteFile(rulesPath, []byte(customRules("e2e-reject-me")), 0o644); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "milter91.yml")
	if err := writeDaemonConfig(cfgPath, e.slots[slotReloadYAML].MilterAddr, []string{rulesPath}); err != nil {
		t.Fatal(err)
	}
	token := writeToken(t, filepath.Join(dir, "admin.token"))
	adminAddr := "127.0.0.1:" + strconv.Itoa(freePort())
	good := appendFile(t, cfgPath, fmt.Sprintf("admin:\n  listen: %q\n  token_file: %q\n", adminAddr, filepath.Join(dir, "admin.token")))
	d := startFaultDaemon(t, e, slotReloadYAML, cfgPath, e.dns.Addr(), filepath.Join(dir, "milter91.log"))
	ctx, cancel := context.WithTimeout(context.Background(), opsPollTimeout)
	defer cancel()
	if err := waitPort(ctx, adminAddr); err != nil {
		t.Fatalf("admin API: %v", err)
	}
	base := "http://" + adminAddr
	s := openSession(t, e.smtpAddr(slotReloadYAML), "client.example.test", "")
	rejected := func(when string) {
		t.Helper()
		data := mail{Token: newToken(t), From: "<alice@" + goodDomain + ">", Subject: "e2e-reject-me"}.build()
		r := mustSend(t, s, outMessage{From: "alice@" + goodDomain, To: []string{recipient}, Data: data})
		if r.Code != 550 || !strings.Contains(r.Text, "e2e custom rule") {
			t.Fatalf("%s: reply %v, want 550 by the custom rule", when, r)
		}
	}
	rejected("before reload")

	const dnsBlock = "dns:\n  timeout: 500ms\n  retries: 1\n"
	bad := strings.Replace(good, dnsBlock, "dns:\n  servers: !x\n  timeout: 500ms\n  retries: 1\n", 1)
	if bad == good {
		t.Fatalf("config lacks %q", dnsBlock)
	}
	line := strings.Count(bad[:strings.Index(bad, "!x")], "\n") + 1
	pos := fmt.Sprintf("%s:%d:12: ", cfgPath, line)
	reload(t, d, cfgPath, bad, pos)
	if !d.running() {
		t.Fatal("milter91 exited on a reload of a config with a YAML tag")
	}
	rejected("after the failed reload")
	if got := health(t, base, token).Details["reload"]; !strings.Contains(got, pos) || !strings.Contains(got, "YAML tag !x") {
		t.Errorf("health details.reload %q, want the failure at %s", got, pos)
	}

	flow := strings.Replace(good, dnsBlock, "dns: {servers: ["+e.dns.Addr()+"], timeout: 500ms, retries: 1}\n", 1)
	reload(t, d, cfgPath, flow, "reloaded config and rules")
	if h := health(t, base, token); h.Details["reload"] != "" {
		t.Errorf("after a good reload: health %+v, want no reload detail", h)
	}
	rejected("after the flow-style reload")
}

// appendFile appends text to the file at path and returns its new content.
func appendFile(t *testing.T, path, text string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	content := string(data) + text
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return content
}

// reload writes content to the config at path, sends SIGHUP and waits for
// a log record after the ones already written that contains want.
func reload(t *testing.T, d *daemon, path, content, want string) {
	t.Helper()
	seen := len(d.logRecords())
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := d.signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		recs := d.logRecords()
		for _, rec := range recs[min(seen, len(recs)):] {
			if strings.Contains(logText(rec), want) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("SIGHUP: no new log line containing %q within 10s", want)
		}
	}
}

// healthAnswer is the body of GET /v1/health.
type healthAnswer struct {
	Status  string            `json:"status"`
	Details map[string]string `json:"details"`
}

// health is GET /v1/health.
func health(t *testing.T, base, token string) healthAnswer {
	t.Helper()
	var h healthAnswer
	decodeAnswer(t, "health", adminCall(t, base, token, "GET", "/v1/health", nil), 200, &h)
	return h
}
