package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"milter91/internal/loadgen"
)

// corpusAdsPerKind is how many ads of each non-compliant kind of the bench
// corpus are checked.
const corpusAdsPerKind = 100

// TestCorpusNonCompliantAdsTagged plays the bench corpus's non-compliant
// ads (milter91 bench corpus --messages 3000 --seed 1: unlabelled ads and
// ads whose opt-out block lacks the phone channel and the advertiser's
// address)
// inbound through milter91 check with the BENCHMARKS.md load-test checks
// (IP and domain zones, the corpus's DNS), and wants every unlabelled one
// and every incomplete one to reach the tag threshold (Decree 91/2020
// Art. 3.4.a: an ad breaking a sending rule is spam), and every compliant
// one to be a certain ad. Before the graded rules the decree rules tagged
// 0 of 100 unlabelled ads and 0 of 100 incomplete ones (BENCHMARKS.md).
func TestCorpusNonCompliantAdsTagged(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a 3000-message corpus")
	}
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus")
	man, err := loadgen.Generate(loadgen.CorpusOptions{Dir: corpus, Messages: 3000, Seed: 1,
		Start: time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	zones, err := loadgen.ReadZones(filepath.Join(corpus, loadgen.ZonesFile))
	if err != nil {
		t.Fatal(err)
	}
	dns, err := loadgen.ServeDNS(zones, "127.0.0.1:0", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dns.Close() })
	cfg := writeFile(t, dir, "milter91.yml", `authserv_id: mx.example.net
dns: {timeout: 2s, retries: 1}
dnsbl:
  zones:
    - name: bl.example.test
    - {name: dbl.example.test, type: domain, skip_health: true}
    - {name: uribl.example.test, type: domain, sources: [url, email], skip_health: true}
log: {level: error}
`)
	counts := map[string]*corpusCount{loadgen.KindAdUnlabelled: {}, loadgen.KindAdIncomplete: {}, loadgen.KindAd: {}}
	for _, e := range man.Messages {
		c := counts[e.Kind]
		if c == nil || c.total == corpusAdsPerKind {
			continue
		}
		c.add(t, checkEntry(t, cfg, dns.Addr(), corpus, e))
	}
	for kind, c := range counts {
		t.Logf("%s: %d of %d tagged by the decree rules, %d tagged or refused in all (%d unlabelled, %d without opt-out block, %d certain)",
			kind, c.tagged, c.total, c.notAccepted, c.unlabelled, c.noOptOut, c.certain)
	}
	if c := counts[loadgen.KindAdUnlabelled]; c.total != corpusAdsPerKind || c.tagged != c.total {
		t.Errorf("unlabelled ads: %d of %d tagged, want all %d", c.tagged, c.total, corpusAdsPerKind)
	}
	if c := counts[loadgen.KindAdIncomplete]; c.total != corpusAdsPerKind || c.tagged != c.total {
		t.Errorf("ads with an incomplete opt-out block: %d of %d tagged, want all %d", c.tagged, c.total, corpusAdsPerKind)
	}
	if c := counts[loadgen.KindAd]; c.total != corpusAdsPerKind || c.certain != c.total {
		t.Errorf("compliant ads: %d of %d certain, want all", c.certain, c.total)
	}
}

// corpusCount counts the checked ads of one kind: tagged are those whose
// decree rules alone reach the tag threshold, notAccepted those the whole
// verdict tags or refuses (other rules too: a listed client, DMARC).
type corpusCount struct{ total, tagged, notAccepted, unlabelled, noOptOut, certain int }

// corpusTagAt is the shipped tag threshold (rules/defaults/settings.yml).
const corpusTagAt = 5

// corpusVerdict is what the count needs of check --json.
type corpusVerdict struct {
	Action string `json:"action"`
	Rules  []struct {
		ID    string   `json:"id"`
		Score *float64 `json:"score"`
	} `json:"rules"`
	Decree struct {
		Grade  string `json:"grade"`
		Label  string `json:"label"`
		OptOut bool   `json:"optout"`
	} `json:"decree91"`
}

func (c *corpusCount) add(t *testing.T, v corpusVerdict) {
	t.Helper()
	c.total++
	if v.Action != "accept" {
		c.notAccepted++
	}
	decree := 0.0
	for _, r := range v.Rules {
		if strings.HasPrefix(r.ID, "D91_") && r.Score != nil {
			decree += *r.Score
		}
	}
	if decree >= corpusTagAt {
		c.tagged++
	}
	if v.Decree.Label != "ok" {
		c.unlabelled++
	}
	if !v.Decree.OptOut {
		c.noOptOut++
	}
	if v.Decree.Grade == "certain" {
		c.certain++
	}
}

// checkEntry runs milter91 check --json inbound on one corpus entry.
func checkEntry(t *testing.T, cfg, dnsAddr, corpus string, e loadgen.Entry) corpusVerdict {
	t.Helper()
	args := []string{"check", "--config", cfg, "--dns", dnsAddr, "--ip", e.ClientIP, "--helo", e.Helo,
		"--from", e.MailFrom, "--direction", "inbound", "--json"}
	for _, r := range e.Rcpts {
		args = append(args, "--rcpt", r)
	}
	r := runCmd("", append(args, filepath.Join(corpus, e.File))...)
	var v corpusVerdict
	if err := json.Unmarshal([]byte(r.stdout), &v); r.code != 0 || err != nil {
		t.Fatalf("check %s: exit %d %v\n%s", e.File, r.code, err, r.stderr)
	}
	return v
}
