package registry

import (
	"context"
	"testing"
	"time"

	"milter91/internal/txn"
)

// Art. 13.4, 20.3: a refusal recorded at T stops an ad at T+1 s.
func TestRefusalBlocksAtOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		addConsent(t, s, Consent{Advertiser: adv, Recipient: rcpt, Method: MethodSoftware, Time: t0.Add(-48 * time.Hour)})
		if _, _, refused := recipient(t, s, adv, rcpt, nil, t0); refused {
			t.Fatal("refused before any refusal")
		}
		addRefusal(t, s, Refusal{Advertiser: adv, Recipient: "USER@example.net", Scope: "ALL", Time: t0, Channel: ChannelPhone})
		consent, _, refused := recipient(t, s, adv, rcpt, nil, t0.Add(time.Second))
		if !refused {
			t.Error("ad at T+1s not refused")
		}
		if !consent {
			t.Error("the refusal must not hide the consent fact")
		}
		if _, _, refused := recipient(t, s, adv2, rcpt, nil, t0.Add(time.Second)); refused {
			t.Error("refusal of one advertiser applied to another")
		}
	})
}

func TestConsentAndCap(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		addConsent(t, s, Consent{Advertiser: adv, Recipient: "five@example.net", Method: MethodForm, Time: t0.Add(-time.Hour), MaxPerDay: 5})
		addConsent(t, s, Consent{Advertiser: adv, Recipient: "one@example.net", Method: MethodCallSMS, Time: t0.Add(-time.Hour), MaxPerDay: 1})
		addConsent(t, s, Consent{Advertiser: adv, Recipient: "plain@example.net", Method: MethodForm, Time: t0.Add(-time.Hour)})
		addConsent(t, s, Consent{Advertiser: adv, Recipient: "gone@example.net", Method: MethodForm, Time: t0.Add(-time.Hour), MaxPerDay: 9})
		addConsent(t, s, Consent{Advertiser: adv, Recipient: "later@example.net", Method: MethodForm, Time: t0.Add(time.Hour)})
		if ok, err := s.RevokeConsent(context.Background(), adv, "Gone@Example.net", t0.Add(-time.Minute)); err != nil || !ok {
			t.Fatalf("RevokeConsent: %v %v", ok, err)
		}
		tests := []struct {
			addr        string
			wantConsent bool
			wantCap     int
		}{
			{addr: "five@example.net", wantConsent: true, wantCap: 5},
			{addr: "one@example.net", wantConsent: true, wantCap: 1},
			{addr: "plain@example.net", wantConsent: true, wantCap: 3},
			{addr: "gone@example.net", wantConsent: false, wantCap: 3},
			{addr: "later@example.net", wantConsent: false, wantCap: 3},
			{addr: "nobody@example.net", wantConsent: false, wantCap: 3},
		}
		for _, tt := range tests {
			consent, capacity, _ := recipient(t, s, adv, tt.addr, nil, t0)
			if consent != tt.wantConsent || capacity != tt.wantCap {
				t.Errorf("%s: consent=%v cap=%d, want %v %d", tt.addr, consent, capacity, tt.wantConsent, tt.wantCap)
			}
		}
	})
}

// An agreed maximum of 5 lets five ads through and stops the sixth.
func TestAgreedCapHonoured(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		addConsent(t, s, Consent{Advertiser: adv, Recipient: rcpt, Method: MethodForm, Time: t0.Add(-time.Hour), MaxPerDay: 5})
		reserved := 0
		for i := range 7 {
			now := t0.Add(time.Duration(i) * time.Minute)
			_, capacity, _ := recipient(t, s, adv, rcpt, nil, now)
			if _, res := reserve(t, s, adv, rcpt, txn.DirectionOutbound, capacity, now); res.Reserved() {
				reserved++
			}
		}
		if reserved != 5 {
			t.Errorf("%d of 7 ads reserved, want 5", reserved)
		}
	})
}

// Art. 13.4: a refusal of one product or group stops only that one.
func TestProductScopedRefusal(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		addRefusal(t, s, Refusal{Advertiser: adv, Recipient: rcpt, Scope: "<Weekly.Example.com>", Time: t0, Channel: ChannelWeb})
		tests := []struct {
			name     string
			products []string
			want     bool
		}{
			{name: "List-Id of that list", products: []string{"Weekly deals <weekly.example.com>"}, want: true},
			{name: "bare id, other case", products: []string{"WEEKLY.example.com"}, want: true},
			{name: "one of several", products: []string{"<daily.example.com>", "<weekly.example.com>"}, want: true},
			{name: "other list", products: []string{"Daily <daily.example.com>"}, want: false},
			{name: "no product", products: nil, want: false},
			{name: "empty value", products: []string{"  "}, want: false},
		}
		for _, tt := range tests {
			if _, _, refused := recipient(t, s, adv, rcpt, tt.products, t0.Add(time.Second)); refused != tt.want {
				t.Errorf("%s: refused=%v, want %v", tt.name, refused, tt.want)
			}
		}
		addRefusal(t, s, Refusal{Advertiser: adv, Recipient: rcpt, Scope: ScopeAll, Time: t0.Add(time.Minute), Channel: ChannelEmail})
		if _, _, refused := recipient(t, s, adv, rcpt, []string{"<daily.example.com>"}, t0.Add(2*time.Minute)); !refused {
			t.Error("scope all did not cover another product")
		}
	})
}

// A consent given after a refusal lifts it (a new prior consent,
// Art. 11.2); one given before does not.
func TestConsentAfterRefusal(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		tests := []struct {
			name      string
			consentAt time.Time
			revoke    bool
			want      bool
		}{
			{name: "consent before refusal", consentAt: t0.Add(-time.Hour), want: true},
			{name: "consent after refusal", consentAt: t0.Add(time.Hour), want: false},
			{name: "later consent revoked", consentAt: t0.Add(time.Hour), revoke: true, want: true},
		}
		for _, tt := range tests {
			s := b.openStore(t)
			addRefusal(t, s, Refusal{Advertiser: adv, Recipient: rcpt, Scope: ScopeAll, Time: t0, Channel: ChannelWeb})
			addConsent(t, s, Consent{Advertiser: adv, Recipient: rcpt, Method: MethodForm, Time: tt.consentAt})
			if tt.revoke {
				if _, err := s.RevokeConsent(context.Background(), adv, rcpt, t0.Add(2*time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			if _, _, refused := recipient(t, s, adv, rcpt, nil, t0.Add(3*time.Hour)); refused != tt.want {
				t.Errorf("%s: refused=%v, want %v", tt.name, refused, tt.want)
			}
		}
	})
}

func TestRecipientBadInput(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		tests := []struct{ advertiser, addr string }{
			{advertiser: "", addr: rcpt},
			{advertiser: "exa mple.com", addr: rcpt},
			{advertiser: adv, addr: ""},
			{advertiser: adv, addr: "user@"},
			{advertiser: adv, addr: "@example.net"},
			{advertiser: adv, addr: "us er@example.net"},
		}
		for _, tt := range tests {
			r, err := s.Recipient(context.Background(), tt.advertiser, tt.addr, nil, t0)
			if err == nil {
				t.Errorf("Recipient(%q, %q): no error", tt.advertiser, tt.addr)
			}
			if r.Cap != DefaultCap || r.Consent || r.Refused {
				t.Errorf("Recipient(%q, %q) = %+v on error, want the defined default", tt.advertiser, tt.addr, r)
			}
		}
	})
}

// Recipient touches last_used_at of the consent and refusal it used, at
// most once per touchInterval.
func TestRecipientTouchesLastUse(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		addConsent(t, s, Consent{Advertiser: adv, Recipient: rcpt, Method: MethodForm, Time: t0})
		addRefusal(t, s, Refusal{Advertiser: adv, Recipient: rcpt, Scope: "<a.example.com>", Time: t0, Channel: ChannelWeb})
		addRefusal(t, s, Refusal{Advertiser: adv, Recipient: rcpt, Scope: "<b.example.com>", Time: t0, Channel: ChannelWeb})
		used := t0.Add(30 * 24 * time.Hour)
		recipient(t, s, adv, rcpt, []string{"<a.example.com>"}, used)
		recipient(t, s, adv, rcpt, []string{"<a.example.com>"}, used.Add(time.Hour))
		cs, err := s.ListConsents(context.Background(), Filter{Recipient: rcpt})
		if err != nil || len(cs) != 1 {
			t.Fatalf("ListConsents: %v %v", cs, err)
		}
		if !cs[0].LastUsedAt.Equal(used) {
			t.Errorf("consent last used %s, want %s", cs[0].LastUsedAt, used)
		}
		rs, err := s.ListRefusals(context.Background(), Filter{Advertiser: adv})
		if err != nil || len(rs) != 2 {
			t.Fatalf("ListRefusals: %v %v", rs, err)
		}
		want := map[string]time.Time{"a.example.com": used, "b.example.com": t0}
		for _, r := range rs {
			if !r.LastUsedAt.Equal(want[r.Scope]) {
				t.Errorf("refusal %s last used %s, want %s", r.Scope, r.LastUsedAt, want[r.Scope])
			}
		}
	})
}
