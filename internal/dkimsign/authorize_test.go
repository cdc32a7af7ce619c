package dkimsign

import (
	"strings"
	"testing"
)

func TestAuthorizerAllow(t *testing.T) {
	a, err := NewAuthorizer(map[string][]string{
		"reseller@hosting.example": {"shop.example", "Blog.Example."},
		"carol":                    {"carol.example"},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		user, from string
		ok         bool
		reason     string
	}{
		{"alice@customer-a.example", "customer-a.example", true, ""},
		{"alice@Customer-A.example", "CUSTOMER-A.EXAMPLE.", true, ""},
		// one hosted customer cannot obtain another's signature
		{"alice@customer-a.example", "customer-b.example", false, "not its login domain"},
		{"alice@customer-a.example", "sub.customer-a.example", false, "not its login domain"},
		{"reseller@hosting.example", "blog.example", true, ""},
		{"reseller@hosting.example", "shop.example", true, ""},
		// a listed user gets its list, not its login domain
		{"reseller@hosting.example", "hosting.example", false, "not among its allowed domains"},
		{"carol", "carol.example", true, ""},
		{"dave", "dave.example", false, "has no domain"},
		{"", "anything.example", true, ""},
		{"alice@customer-a.example", "", false, "not a valid domain"},
	}
	for _, tt := range tests {
		ok, reason := a.Allow(tt.user, tt.from)
		if ok != tt.ok || !strings.Contains(reason, tt.reason) || (tt.ok && reason != "") {
			t.Errorf("Allow(%q, %q) = %v, %q; want %v, %q", tt.user, tt.from, ok, reason, tt.ok, tt.reason)
		}
	}
	var none *Authorizer
	if ok, _ := none.Allow("bob@b.example", "b.example"); !ok {
		t.Error("nil Authorizer refuses the login domain")
	}
	if _, err := NewAuthorizer(map[string][]string{"x": {"not a domain"}}); err == nil {
		t.Error("invalid domain accepted")
	}
}
