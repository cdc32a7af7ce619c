package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"milter91/config"
	"milter91/internal/resolver"
	"milter91/internal/txn"
)

// sampleConfig is the shipped production sample.
const sampleConfig = "../../contrib/etc/milter91/milter91.yml"

// TestContribSamples keeps the shipped sample configuration, lists and
// rules (contrib/etc/milter91) valid: they load, the zones compile, the
// lists parse and the rules compile with every zone and list they name.
func TestContribSamples(t *testing.T) {
	cfg, err := config.Load(sampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newChecker(cfg, nil); err != nil {
		t.Errorf("zones: %v", err)
	}
	if _, err := newLocalLists(cfg, slog.New(slog.DiscardHandler)); err != nil {
		t.Errorf("lists: %v", err)
	}
	set, err := cfg.LoadRules()
	if err != nil {
		t.Fatalf("rules: %v", err)
	}
	if len(set.Rules()) == 0 || len(cfg.DNSBL.Zones) != 3 || len(cfg.Lists) != 2 {
		t.Errorf("%d rules, %d zones, %d lists", len(set.Rules()), len(cfg.DNSBL.Zones), len(cfg.Lists))
	}
}

// TestContribSampleLint runs `rules lint --config` over the shipped sample,
// as an operator would before installing it.
func TestContribSampleLint(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run([]string{"rules", "lint", "--config", sampleConfig}, nil, &out, &errs); code != 0 || !strings.HasPrefix(out.String(), "ok: ") {
		t.Fatalf("rules lint --config %s: exit %d, %q %q", sampleConfig, code, out.String(), errs.String())
	}
}

// TestContribSampleZen: in the shipped sample, a client listed in Spamhaus
// PBL only (an end-user range) is neither refused at RCPT nor rejected at
// end of message (it scores), while SBL, CSS and XBL listings are refused
// at RCPT and rejected at end of message.
func TestContribSampleZen(t *testing.T) {
	cfg, err := config.Load(sampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	checker, err := newChecker(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	set, err := cfg.LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, answer string
		refused      bool
	}{
		{name: "pbl", answer: "127.0.0.10"},
		{name: "pbl 127.0.0.11", answer: "127.0.0.11"},
		{name: "sbl", answer: "127.0.0.2", refused: true},
		{name: "css", answer: "127.0.0.3", refused: true},
		{name: "xbl", answer: "127.0.0.4", refused: true},
		{name: "pbl and xbl", answer: "127.0.0.10,127.0.0.4", refused: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var answers []netip.Addr
			for _, a := range strings.Split(tc.answer, ",") {
				answers = append(answers, netip.MustParseAddr(a))
			}
			r := &resolver.Fake{A: map[string][]netip.Addr{"7.2.0.192.zen.spamhaus.org": answers}}
			ip := netip.MustParseAddr("192.0.2.7")
			if _, early := checker.Early(context.Background(), r, ip); early != tc.refused {
				t.Errorf("refused at RCPT: %v, want %v", early, tc.refused)
			}
			facts := &txn.Facts{DNSBL: checker.Check(context.Background(), r, ip)}
			v := set.Evaluate(&txn.Transaction{Conn: txn.Conn{ClientIP: ip}}, facts)
			if rejected := v.Action == txn.ActionReject; rejected != tc.refused {
				t.Errorf("end of message: %s (score %v, rules %v), want reject %v", v.Action, v.Score, v.RuleIDs(), tc.refused)
			}
			if !tc.refused && !slices.Contains(v.RuleIDs(), "ZEN_PBL") {
				t.Errorf("rules %v lack ZEN_PBL", v.RuleIDs())
			}
		})
	}
}
