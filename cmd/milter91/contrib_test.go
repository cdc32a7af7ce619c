package main

import (
	"log/slog"
	"testing"

	"milter91/config"
)

// TestContribSamples keeps the shipped sample configuration, lists and
// rules (contrib/etc/milter91) valid: they load, the zones compile, the
// lists parse and the rules compile with every zone and list they name.
func TestContribSamples(t *testing.T) {
	cfg, err := config.Load("../../contrib/etc/milter91/milter91.yml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newChecker(cfg, nil); err != nil {
		t.Errorf("zones: %v", err)
	}
	if _, err := newLocalLists(cfg, slog.New(slog.DiscardHandler)); err != nil {
		t.Errorf("lists: %v", err)
	}
	set, err := loadRules(cfg)
	if err != nil {
		t.Fatalf("rules: %v", err)
	}
	if len(set.Rules()) == 0 || len(cfg.DNSBL.Zones) != 3 || len(cfg.Lists) != 2 {
		t.Errorf("%d rules, %d zones, %d lists", len(set.Rules()), len(cfg.DNSBL.Zones), len(cfg.Lists))
	}
}
