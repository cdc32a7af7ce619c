package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"milter91/config"
	"milter91/internal/registry"
)

// check warns when an outbound ad's advertiser has no consent on record at
// all (its consents were likely never imported), in the JSON and the text
// report and on stderr, and shows the consent policy.
func TestCheckWarnsNoConsentOnRecord(t *testing.T) {
	dir := t.TempDir()
	yml := strings.Replace(string(config.DefaultYAML()), `registry: ""`, `registry: `+filepath.Join(dir, "registry.db"), 1)
	yml = strings.Replace(yml, `consent_policy: reject`, `consent_policy: tag`, 1)
	cfg := writeFile(t, dir, "milter91.yml", yml)
	ad, err := os.ReadFile(filepath.Join("..", "..", "decree", "testdata", "label-ok-qc.eml"))
	if err != nil {
		t.Fatal(err)
	}
	msg := writeFile(t, dir, "ad.eml", string(ad))
	args := []string{"check", "--config", cfg, "--dns", "127.0.0.1:1", "--ip", "192.0.2.1", "--direction", "outbound",
		"--from", "news@shop.example.com", "--rcpt", "khach@example.net", msg}
	r := runCmd("", append(args, "--json")...)
	if r.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", r.code, r.stderr)
	}
	var out struct {
		Decree struct {
			Advertiser        string `json:"advertiser"`
			ConsentPolicy     string `json:"consent_policy"`
			NoConsentOnRecord bool   `json:"no_consent_on_record"`
		} `json:"decree91"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if out.Decree.Advertiser != "example.com" || out.Decree.ConsentPolicy != "tag" || !out.Decree.NoConsentOnRecord {
		t.Errorf("decree91 %+v, want advertiser example.com, policy tag, no consent on record", out.Decree)
	}
	if !strings.Contains(r.stderr, "no consent on record") {
		t.Errorf("stderr lacks the warning:\n%s", r.stderr)
	}
	text := runCmd("", args...)
	if !strings.Contains(text.stdout, "warning: example.com has no consent on record (consent_policy tag)") {
		t.Errorf("text report lacks the warning:\n%s", text.stdout)
	}
}

// serve warns at start when the registry holds no consent and the policy
// is not off; not once a consent is on record.
func TestWarnNoConsentsAtStart(t *testing.T) {
	ctx := context.Background()
	s, err := registry.Open(ctx, filepath.Join(t.TempDir(), "registry.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	warned := func(policy string) bool {
		var b bytes.Buffer
		warnNoConsents(ctx, s, policy, slog.New(slog.NewTextHandler(&b, nil)))
		return strings.Contains(b.String(), "registry holds no consent")
	}
	if !warned("reject") || !warned("tag") || warned("off") {
		t.Error("empty registry: want a warning under reject and tag, none under off")
	}
	if _, err := s.AddConsent(ctx, registry.Consent{Advertiser: "example.com", Recipient: "u@example.net",
		Method: registry.MethodForm, Time: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if warned("reject") {
		t.Error("a consent on record: warned anyway")
	}
}
