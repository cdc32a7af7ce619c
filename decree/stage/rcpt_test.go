package stage

import (
	"context"
	"testing"

	"milter91/internal/freemail"
	"milter91/internal/txn"
)

// At RCPT the advertiser is known only for an envelope sender declared to
// send only ads (or under one), never for a shared mailbox provider; then
// the registry's refusal is a fact; no registry or no declaration, none.
func TestAtRcpt(t *testing.T) {
	reg := &registry{refused: true}
	s := New(Options{Analyzer: analyzer{}, Registry: reg, AdSenders: []string{"Ads.Example.COM.", "gmail.com"},
		Shared: freemail.New(nil), Directions: Directions{Authenticated: true}})
	out := &txn.Transaction{AuthUser: "alice"}
	tests := []struct {
		from    string
		wantAdv string
	}{
		{"bounce@ads.example.com", "example.com"},
		{"b+x@eu.ads.example.com", "example.com"},
		{"news@example.com", ""},
		{"someone@gmail.com", ""},
		{"", ""},
	}
	for _, tt := range tests {
		d, ok := s.AtRcpt(context.Background(), out, tt.from, "u@example.net")
		if ok != (tt.wantAdv != "") || d.Advertiser != tt.wantAdv {
			t.Errorf("%q: %v advertiser %q, want %q", tt.from, ok, d.Advertiser, tt.wantAdv)
			continue
		}
		if ok && (!d.Advertising || d.Direction != txn.DirectionOutbound || len(d.Recipients) != 1 ||
			!d.Recipients[0].Refused || d.Recipients[0].Rcpt != "u@example.net") {
			t.Errorf("%q: facts %+v", tt.from, d)
		}
	}
	if !s.DecidesAtRcpt() || New(Options{Analyzer: analyzer{}, AdSenders: []string{"ads.example.com"}}).DecidesAtRcpt() {
		t.Error("DecidesAtRcpt: want true with a registry and senders, false without a registry")
	}
	var off *Stage
	if _, ok := off.AtRcpt(context.Background(), out, "bounce@ads.example.com", "u@example.net"); ok || off.DecidesAtRcpt() {
		t.Error("a nil stage has facts at RCPT")
	}
}
