package rules

import (
	"strings"
	"testing"

	"milter91/internal/txn"
)

// compliantAd is an advertising email that meets every sender duty.
func compliantAd(direction string) txn.Facts {
	return txn.Facts{Decree: txn.Decree{
		Direction: direction,
		DecreeAnalysis: txn.DecreeAnalysis{
			Advertising: true, Grade: txn.GradeCertain, InScope: true, Label: txn.LabelOK,
			OptOut: true, OptOutStatement: true,
			Channels: []string{"web", "email", "phone"},
			Info:     []string{"name", "phone", "email", "address"}, Advertiser: "shop.example.com",
		},
		Recipients:    []txn.DecreeRecipient{{Rcpt: "u@example.net", Consent: true, Cap: 3}},
		ConsentPolicy: txn.ConsentPolicyReject,
	}}
}

func TestDecreeDefaults(t *testing.T) {
	set := mustCompile(t, Defaults()...)
	tests := []struct {
		name       string
		direction  string
		mutate     func(d *txn.Decree)
		action     txn.Action
		ruleID     string
		replyParts []string
	}{
		{"compliant outbound passes", "outbound", func(d *txn.Decree) {}, txn.ActionAccept, "", nil},
		{"unlabelled outbound rejected", "outbound", func(d *txn.Decree) { d.Label = txn.LabelMissing },
			txn.ActionReject, "D91_OUT_LABEL", []string{"550", "5.7.1", "[QC]", "Art. 18"}},
		{"legacy label outbound rejected", "outbound", func(d *txn.Decree) { d.Label = txn.LabelLegacy },
			txn.ActionReject, "D91_OUT_LABEL", []string{"Art. 18"}},
		{"no opt-out outbound rejected", "outbound", func(d *txn.Decree) { d.OptOut = false },
			txn.ActionReject, "D91_OUT_OPTOUT", []string{"Art. 20.1"}},
		{"missing phone channel outbound rejected", "outbound", func(d *txn.Decree) { d.MissingChannels = []string{"phone"} },
			txn.ActionReject, "D91_OUT_CHANNELS", []string{"phone", "Art. 20.2"}},
		{"missing address outbound rejected", "outbound", func(d *txn.Decree) { d.MissingInfo = []string{"address"} },
			txn.ActionReject, "D91_OUT_ADVERTISER_INFO", []string{"address", "Art. 19"}},
		{"no consent outbound rejected", "outbound", func(d *txn.Decree) { d.Recipients[0].Consent = false },
			txn.ActionReject, "D91_OUT_NO_CONSENT", []string{"u@example.net", "shop.example.com", "Art. 11.2"}},
		{"no consent, policy tag: delivered and named", "outbound", func(d *txn.Decree) {
			d.Recipients[0].Consent = false
			d.ConsentPolicy = txn.ConsentPolicyTag
		}, txn.ActionAccept, "D91_OUT_NO_CONSENT_TAG", nil},
		{"no consent, policy off: no consent rule", "outbound", func(d *txn.Decree) {
			d.Recipients[0].Consent = false
			d.ConsentPolicy = txn.ConsentPolicyOff
		}, txn.ActionAccept, "", nil},
		{"refused outbound rejected", "outbound", func(d *txn.Decree) { d.Recipients[0].Refused = true },
			txn.ActionReject, "D91_OUT_REFUSED", []string{"Art. 13.4"}},
		{"fourth ad outbound deferred", "outbound", func(d *txn.Decree) { d.Recipients[0].Sent24h = 3 },
			txn.ActionTempfail, "D91_OUT_FREQUENCY", []string{"451", "4.7.1", "Art. 13.5"}},
		{"third ad outbound passes", "outbound", func(d *txn.Decree) { d.Recipients[0].Sent24h = 2 },
			txn.ActionAccept, "", nil},
		{"agreed higher cap honoured", "outbound", func(d *txn.Decree) { d.Recipients[0].Sent24h = 5; d.Recipients[0].Cap = 10 },
			txn.ActionAccept, "", nil},
		{"labelled inbound ad accepted", "inbound", func(d *txn.Decree) { d.Recipients[0].Consent = false },
			txn.ActionAccept, "", nil},
		// Inbound non-compliant ads are spam (Art. 3.4.a): each reaches
		// the tag threshold alone.
		{"unlabelled inbound ad tagged", "inbound", func(d *txn.Decree) { d.Label = txn.LabelMissing },
			txn.ActionTag, "D91_IN_UNLABELLED", nil},
		{"inbound ad without opt-out tagged", "inbound", func(d *txn.Decree) { d.OptOut = false },
			txn.ActionTag, "D91_IN_NO_OPTOUT", nil},
		{"inbound ad over the cap tagged", "inbound", func(d *txn.Decree) { d.Recipients[0].Sent24h = 3 },
			txn.ActionTag, "D91_IN_FREQUENCY", nil},
		{"inbound ad missing a channel scored below the threshold", "inbound", func(d *txn.Decree) { d.MissingChannels = []string{"phone"} },
			txn.ActionAccept, "D91_IN_CHANNELS", nil},
		{"inbound ad missing a channel and the address tagged", "inbound", func(d *txn.Decree) {
			d.MissingChannels, d.MissingInfo = []string{"phone"}, []string{"address"}
		}, txn.ActionTag, "D91_IN_ADVERTISER_INFO", nil},
		{"refused inbound ad tagged", "inbound", func(d *txn.Decree) { d.Recipients[0].Refused = true },
			txn.ActionTag, "D91_IN_REFUSED", nil},
		{"refused inbound ad out of scope tagged", "inbound", func(d *txn.Decree) {
			d.InScope, d.Recipients[0].Refused = false, true
		}, txn.ActionTag, "D91_IN_REFUSED", nil},
		{"inbound ad out of scope: no decree rule", "inbound", func(d *txn.Decree) {
			d.InScope = false
			d.Label, d.OptOut = txn.LabelMissing, false
		}, txn.ActionAccept, "", nil},
		{"likely inbound ad marked, not scored", "inbound", func(d *txn.Decree) {
			d.Grade, d.Recipients = txn.GradeLikely, nil
			d.Label, d.OptOut = txn.LabelMissing, false
		}, txn.ActionAccept, "D91_IN_LIKELY_AD", nil},
		// Outbound refusals need certain evidence: a likely ad is marked
		// and logged (Art. 10.3).
		{"likely outbound ad not refused", "outbound", func(d *txn.Decree) {
			d.Grade, d.Recipients = txn.GradeLikely, nil
			d.Label, d.OptOut, d.MissingInfo = txn.LabelMissing, false, []string{"name"}
		}, txn.ActionAccept, "D91_OUT_LIKELY_AD", nil},
		{"no refuse-all statement outbound rejected", "outbound", func(d *txn.Decree) { d.OptOutStatement = false },
			txn.ActionReject, "D91_OUT_OPTOUT_STATEMENT", []string{"550", "Art. 20.1.b"}},
		{"not advertising: no decree rule", "outbound", func(d *txn.Decree) {
			d.Advertising, d.Grade = false, txn.GradeNone
			d.Label = txn.LabelMissing
			d.Recipients = nil
		}, txn.ActionAccept, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := compliantAd(tc.direction)
			tc.mutate(&f.Decree)
			tr := &txn.Transaction{AuthUser: "customer", Rcpts: []string{"u@example.net"}}
			v := set.Evaluate(tr, &f)
			if v.Action != tc.action {
				t.Fatalf("action = %v (rules %v), want %v", v.Action, v.RuleIDs(), tc.action)
			}
			ids := strings.Join(v.RuleIDs(), ",")
			if tc.ruleID != "" && !strings.Contains(ids, tc.ruleID) {
				t.Errorf("rules = %s, want %s", ids, tc.ruleID)
			}
			if strings.Contains(ids, "D91_OUT_NO_CONSENT_TAG") && v.Score != 0 {
				t.Errorf("the tag policy scored %.1f, want 0", v.Score)
			}
			if tc.ruleID == "" && strings.Contains(ids, "D91_") {
				t.Errorf("rules = %s, want no decree rule", ids)
			}
			for _, p := range tc.replyParts {
				if !strings.Contains(v.Reply.String(), p) {
					t.Errorf("reply %q lacks %q", v.Reply.String(), p)
				}
			}
		})
	}
}
