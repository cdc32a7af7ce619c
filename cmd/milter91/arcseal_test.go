package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"milter91/config"
	"milter91/internal/dkimsign"
)

// An enabled arc.seal needs a key file that reads (a bad one fails the
// start or reload) and says that no message is sealed yet; disabled, no
// key is read.
func TestCheckARCSeal(t *testing.T) {
	dir := t.TempDir()
	_, pem, err := dkimsign.GenerateKey(dkimsign.AlgEd25519)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "arc.key"), pem, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "open.key"), pem, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{Source: filepath.Join(dir, "milter91.yml")}
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	if err := checkARCSeal(cfg, logger); err != nil || logs.Len() != 0 {
		t.Fatalf("disabled: %v, logged %q", err, logs.String())
	}
	cfg.ARCSeal = config.ARCSeal{Enabled: true, Key: dkimsign.KeySpec{Domain: "example.test", Selector: "arc1", Key: "arc.key"}}
	if err := checkARCSeal(cfg, logger); err != nil || !strings.Contains(logs.String(), "does not seal messages yet") {
		t.Fatalf("good key: %v, logged %q", err, logs.String())
	}
	cfg.ARCSeal.Key.Key = "open.key"
	if err := checkARCSeal(cfg, logger); err == nil || !strings.Contains(err.Error(), "arc.seal.key") {
		t.Fatalf("mode 0644 key: %v", err)
	}
}
