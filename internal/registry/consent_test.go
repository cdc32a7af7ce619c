package registry

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestAddConsentValidation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		ok := Consent{Advertiser: adv, Recipient: rcpt, Method: MethodForm, Time: t0}
		tests := []struct {
			name    string
			edit    func(*Consent)
			wantErr string // "" for success
		}{
			{name: "valid", edit: func(*Consent) {}},
			{name: "upper-case ids are normalised", edit: func(c *Consent) { c.Advertiser, c.Recipient = "Example.COM.", "<Me@Example.net>" }},
			{name: "subdomain advertiser", edit: func(c *Consent) { c.Advertiser = "news.example.com" }, wantErr: `not an organizational domain (use "example.com")`},
			{name: "public suffix advertiser", edit: func(c *Consent) { c.Advertiser = "co.uk" }, wantErr: "cannot derive"},
			{name: "bad recipient", edit: func(c *Consent) { c.Recipient = "nobody" }, wantErr: "want local@domain"},
			{name: "bad method", edit: func(c *Consent) { c.Method = "soft_opt_in" }, wantErr: `method "soft_opt_in"`},
			{name: "no time", edit: func(c *Consent) { c.Time = time.Time{} }, wantErr: "time is empty"},
			{name: "negative max", edit: func(c *Consent) { c.MaxPerDay = -1 }, wantErr: "max_per_day -1"},
			{name: "huge max", edit: func(c *Consent) { c.MaxPerDay = MaxAgreedCap + 1 }, wantErr: "max_per_day 1001"},
			{name: "evidence at the limit", edit: func(c *Consent) { c.Evidence = strings.Repeat("e", MaxEvidence) }},
			{name: "evidence over the limit", edit: func(c *Consent) { c.Evidence = strings.Repeat("e", MaxEvidence+1) }, wantErr: "evidence: 2049 bytes, at most 2048"},
			{name: "revoked before given", edit: func(c *Consent) { c.RevokedAt = t0.Add(-time.Second) }, wantErr: "revoked_at is before time"},
			{name: "used before given", edit: func(c *Consent) { c.LastUsedAt = t0.Add(-time.Second) }, wantErr: "last_used_at is before"},
			{name: "two problems at once", edit: func(c *Consent) { c.Method, c.Recipient = "", "x" }, wantErr: "recipient: address \"x\": want local@domain; method \"\""},
			// PostgreSQL refuses both in text: the same 400 on both backends.
			{name: "NUL in evidence", edit: func(c *Consent) { c.Evidence = "form\x00id" }, wantErr: "evidence: NUL byte at byte 5"},
			{name: "evidence not UTF-8", edit: func(c *Consent) { c.Evidence = "caf\xe9" }, wantErr: "evidence: not UTF-8 at byte 4"},
			{name: "recipient not UTF-8", edit: func(c *Consent) { c.Recipient = "j\xfcrgen@example.net" }, wantErr: "recipient: not UTF-8 at byte 2"},
			{name: "NUL in recipient", edit: func(c *Consent) { c.Recipient = "a\x00b@example.net" }, wantErr: "recipient: NUL byte at byte 2"},
		}
		for _, tt := range tests {
			c := ok
			tt.edit(&c)
			changed, err := s.AddConsent(context.Background(), c)
			switch {
			case tt.wantErr == "" && (err != nil || !changed):
				t.Errorf("%s: changed %v, %v", tt.name, changed, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.wantErr)
			case tt.wantErr != "" && (!errors.Is(err, ErrInvalid) || changed):
				t.Errorf("%s: error %v (changed %v) does not match ErrInvalid", tt.name, err, changed)
			}
		}
		cs, err := s.ListConsents(context.Background(), Filter{})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"me@example.net", "user@example.net"}
		if len(cs) != len(want) {
			t.Fatalf("stored %+v, want the %d valid consents", cs, len(want))
		}
		for i, c := range cs {
			if c.Advertiser != adv || c.Recipient != want[i] {
				t.Errorf("consent %d: %s %s, want %s %s", i, c.Advertiser, c.Recipient, adv, want[i])
			}
		}
	})
}

// A stale consent must not undo a revocation; a fresh one ends it.
func TestConsentUpsert(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		tests := []struct {
			name        string
			again       Consent
			wantRevoked bool
			wantMethod  string
			wantChanged bool
		}{
			{name: "same consent re-added", again: Consent{Method: MethodCallSMS, Time: t0}, wantRevoked: true, wantMethod: MethodCallSMS, wantChanged: true},
			{name: "older consent", again: Consent{Method: MethodSoftware, Time: t0.Add(-time.Hour)}, wantRevoked: true, wantMethod: MethodForm},
			{name: "newer consent", again: Consent{Method: MethodSoftware, Time: t0.Add(2 * time.Hour)}, wantRevoked: false, wantMethod: MethodSoftware, wantChanged: true},
		}
		for _, tt := range tests {
			s := b.openStore(t)
			addConsent(t, s, Consent{Advertiser: adv, Recipient: rcpt, Method: MethodForm, Time: t0})
			ok, err := s.RevokeConsent(context.Background(), adv, rcpt, t0.Add(time.Hour))
			if err != nil || !ok {
				t.Fatalf("%s: revoke %v %v", tt.name, ok, err)
			}
			again := tt.again
			again.Advertiser, again.Recipient = adv, rcpt
			if changed, err := s.AddConsent(context.Background(), again); err != nil || changed != tt.wantChanged {
				t.Fatalf("%s: AddConsent changed %v, %v; want changed %v", tt.name, changed, err, tt.wantChanged)
			}
			cs, err := s.ListConsents(context.Background(), Filter{Advertiser: adv, Recipient: rcpt})
			if err != nil || len(cs) != 1 {
				t.Fatalf("%s: list %v %v", tt.name, cs, err)
			}
			if revoked := !cs[0].RevokedAt.IsZero(); revoked != tt.wantRevoked || cs[0].Method != tt.wantMethod {
				t.Errorf("%s: revoked=%v method=%s, want %v %s", tt.name, revoked, cs[0].Method, tt.wantRevoked, tt.wantMethod)
			}
		}
	})
}

func TestRevokeConsent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		ctx := context.Background()
		addConsent(t, s, Consent{Advertiser: adv, Recipient: rcpt, Method: MethodForm, Time: t0})
		tests := []struct {
			name  string
			addr  string
			want  bool
			isErr bool
		}{
			{name: "active consent", addr: rcpt, want: true},
			{name: "already revoked", addr: rcpt, want: false},
			{name: "no consent", addr: "other@example.net", want: false},
			{name: "bad address", addr: "bad", isErr: true},
		}
		for _, tt := range tests {
			got, err := s.RevokeConsent(ctx, adv, tt.addr, t0.Add(time.Hour))
			if got != tt.want || (err != nil) != tt.isErr || (tt.isErr && !errors.Is(err, ErrInvalid)) {
				t.Errorf("%s: %v %v, want %v error=%v", tt.name, got, err, tt.want, tt.isErr)
			}
		}
		cs, err := s.ListConsents(ctx, Filter{Recipient: rcpt})
		if err != nil || len(cs) != 1 {
			t.Fatalf("list: %v %v", cs, err)
		}
		if want := t0.Add(time.Hour); !cs[0].RevokedAt.Equal(want) || !cs[0].LastUsedAt.Equal(want) {
			t.Errorf("revoked_at %s last_used_at %s, want both %s", cs[0].RevokedAt, cs[0].LastUsedAt, want)
		}
	})
}

func TestAddRefusalValidation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		ok := Refusal{Advertiser: adv, Recipient: rcpt, Scope: ScopeAll, Time: t0, Channel: ChannelWeb}
		tests := []struct {
			name    string
			edit    func(*Refusal)
			wantErr string
		}{
			{name: "valid", edit: func(*Refusal) {}},
			{name: "empty scope", edit: func(r *Refusal) { r.Scope = " " }, wantErr: "empty scope"},
			{name: "bad channel", edit: func(r *Refusal) { r.Channel = "fax" }, wantErr: `channel "fax"`},
			{name: "evidence over the limit", edit: func(r *Refusal) { r.Evidence = strings.Repeat("e", MaxEvidence+1) }, wantErr: "evidence: 2049 bytes"},
			{name: "no time", edit: func(r *Refusal) { r.Time = time.Time{} }, wantErr: "time is empty"},
			{name: "subdomain advertiser", edit: func(r *Refusal) { r.Advertiser = "mail.example.com" }, wantErr: "not an organizational domain"},
			{name: "NUL in scope", edit: func(r *Refusal) { r.Scope = "news\x00" }, wantErr: "scope: NUL byte at byte 5"},
			{name: "scope not UTF-8", edit: func(r *Refusal) { r.Scope = "<\xff>" }, wantErr: "scope: not UTF-8 at byte 2"},
			{name: "NUL in evidence", edit: func(r *Refusal) { r.Evidence = "\x00" }, wantErr: "evidence: NUL byte at byte 1"},
		}
		for _, tt := range tests {
			r := ok
			tt.edit(&r)
			err := s.AddRefusal(context.Background(), r)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("%s: %v", tt.name, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.wantErr)
			case tt.wantErr != "" && !errors.Is(err, ErrInvalid):
				t.Errorf("%s: error %v does not match ErrInvalid", tt.name, err)
			}
		}
	})
}

// A repeated refusal keeps the latest time and its channel: the time a
// later consent must postdate to lift it.
func TestRefusalUpsertKeepsLatest(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		addRefusal(t, s, Refusal{Advertiser: adv, Recipient: rcpt, Scope: ScopeAll, Time: t0.Add(time.Hour), Channel: ChannelPhone})
		addRefusal(t, s, Refusal{Advertiser: adv, Recipient: rcpt, Scope: ScopeAll, Time: t0, Channel: ChannelWeb})
		rs, err := s.ListRefusals(context.Background(), Filter{})
		if err != nil || len(rs) != 1 {
			t.Fatalf("list: %v %v", rs, err)
		}
		if !rs[0].Time.Equal(t0.Add(time.Hour)) || rs[0].Channel != ChannelPhone {
			t.Errorf("kept %s via %s, want %s via phone", rs[0].Time, rs[0].Channel, t0.Add(time.Hour))
		}
	})
}

// HasConsents: any active consent of the advertiser; revoked ones do not
// count. CountConsents counts the active ones of every advertiser.
func TestHasConsents(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		ctx := context.Background()
		addConsent(t, s, Consent{Advertiser: adv, Recipient: rcpt, Method: MethodForm, Time: t0})
		addConsent(t, s, Consent{Advertiser: adv2, Recipient: rcpt, Method: MethodForm, Time: t0})
		if ok, err := s.RevokeConsent(ctx, adv2, rcpt, t0.Add(time.Hour)); !ok || err != nil {
			t.Fatal(ok, err)
		}
		for _, tt := range []struct {
			advertiser string
			want       bool
		}{{adv, true}, {adv2, false}, {"example.net", false}} {
			if got, err := s.HasConsents(ctx, tt.advertiser); got != tt.want || err != nil {
				t.Errorf("HasConsents(%s) = %v %v, want %v", tt.advertiser, got, err, tt.want)
			}
		}
		if n, err := s.CountConsents(ctx); n != 1 || err != nil {
			t.Errorf("CountConsents = %d %v, want 1", n, err)
		}
		if _, err := s.HasConsents(ctx, ""); err == nil {
			t.Error("HasConsents(\"\"): no error")
		}
	})
}
