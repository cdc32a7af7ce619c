package auth

import (
	"context"
	"strings"
	"testing"

	"milter91/internal/resolver"
	"milter91/internal/txn"
)

func TestAARDMARC(t *testing.T) {
	tests := []struct{ aar, want string }{
		{"i=1; lists.example.org; spf=pass smtp.mailfrom=example.com; dkim=pass header.d=example.com; dmarc=pass header.from=example.com", "pass"},
		{"i=2; fwd.example.net; dmarc=fail (p=reject) header.from=example.com", "fail"},
		{"i=1; lists.example.org; dkim=pass header.d=example.com", ""},
		{"i=1", ""},
		{"i=1; ;;; dmarc=", ""},
	}
	for _, tc := range tests {
		if got := aarDMARC(tc.aar); got != tc.want {
			t.Errorf("aarDMARC(%q) = %q, want %q", tc.aar, got, tc.want)
		}
	}
}

// Without ARC fields the chain is none; a set without its seal is fail,
// with the reason, and no dmarc= is read from a chain that does not pass.
func TestCheckARC(t *testing.T) {
	plain := []txn.Header{{Name: "From", Value: " alice@example.org"}}
	got, err := CheckARC(context.Background(), &resolver.Fake{}, plain, strings.NewReader("hi\r\n"))
	if err != nil || got.Result != "none" || len(got.Sealers) != 0 {
		t.Errorf("no ARC fields: %+v, %v", got, err)
	}
	broken := append([]txn.Header{
		{Name: "ARC-Message-Signature", Value: " i=1; a=rsa-sha256; d=lists.example.org; s=s; h=from; bh=AA==; b=AA=="},
		{Name: "ARC-Authentication-Results", Value: " i=1; lists.example.org; dmarc=pass header.from=example.org"},
	}, plain...)
	got, err = CheckARC(context.Background(), &resolver.Fake{}, broken, strings.NewReader("hi\r\n"))
	if err != nil || got.Result != "fail" || got.Detail == "" || got.DMARC != "" {
		t.Errorf("incomplete set: %+v, %v", got, err)
	}
}

// FuzzAARDMARC: any ARC-Authentication-Results value gives one of the
// RFC 8601 result names or "", and never panics.
func FuzzAARDMARC(f *testing.F) {
	for _, seed := range []string{
		"i=1; lists.example.org; dmarc=pass header.from=example.com",
		"i=2; fwd.example.net; spf=fail; dmarc=fail (p=reject) header.from=example.com",
		"i=1; ;;; dmarc=", "i=1", ";", "i=1; x; dmarc=pass reason=\"a;b\"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, aar string) {
		switch got := aarDMARC(aar); got {
		case "", "pass", "fail", "none", "temperror", "permerror", "neutral", "policy", "softfail":
		default:
			if strings.ContainsAny(got, "; \t\r\n") {
				t.Errorf("aarDMARC(%q) = %q", aar, got)
			}
		}
	})
}
