package stage

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"milter91/internal/txn"
)

// An outbound ad from an advertiser with no consent on record at all is
// flagged and warned about (its consents were likely never imported);
// the consent policy is a fact for the rules; with the policy off nothing
// is asked.
func TestNoConsentOnRecord(t *testing.T) {
	tests := []struct {
		name     string
		policy   string
		has      bool
		wantFlag bool
	}{
		{name: "default policy, no consent on record", policy: "", wantFlag: true},
		{name: "tag, no consent on record", policy: txn.ConsentPolicyTag, wantFlag: true},
		{name: "consents on record", policy: txn.ConsentPolicyReject, has: true},
		{name: "policy off", policy: txn.ConsentPolicyOff},
	}
	for _, tt := range tests {
		var log bytes.Buffer
		reg := &registry{hasConsents: tt.has}
		s := New(Options{Analyzer: analyzer{a: ad}, Registry: reg, ConsentPolicy: tt.policy,
			Directions: Directions{Default: txn.DirectionOutbound}, Logger: slog.New(slog.NewTextHandler(&log, nil))})
		d, _, err := s.Run(context.Background(), input("a@example.net"))
		if err != nil {
			t.Fatal(err)
		}
		wantPolicy := tt.policy
		if wantPolicy == "" {
			wantPolicy = txn.ConsentPolicyReject
		}
		warned := strings.Contains(log.String(), "no consent on record") && strings.Contains(log.String(), "advertiser=example.com")
		if d.NoConsentOnRecord != tt.wantFlag || warned != tt.wantFlag || d.ConsentPolicy != wantPolicy {
			t.Errorf("%s: flag %v, warned %v, policy %q; want %v %v %q (log %q)", tt.name, d.NoConsentOnRecord, warned,
				d.ConsentPolicy, tt.wantFlag, tt.wantFlag, wantPolicy, log.String())
		}
	}
}
