package auth

import (
	"context"
	"testing"

	"milter91/internal/dmarc"
	"milter91/internal/mailmsg"
	"milter91/internal/resolver"
	"milter91/internal/txn"
)

// The RFC 9989 facts through CheckDMARC, with records in the RFC's forms
// (Appendix B's example.com records, np, psd, t): the policy that applies,
// the tag it came from, testing mode and what the Domain Owner requests.
func TestCheckDMARCbis(t *testing.T) {
	tests := []struct {
		name, from        string
		txt               map[string][]string
		result, policy    string
		tag, requested    string
		testing           bool
		orgDomain, polDom string
		wantRecord        bool
	}{
		{name: "np for a non-existent subdomain (§4.10.1)", from: "a@nosuch.example.com",
			txt:    map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=quarantine; sp=none; np=reject"}},
			result: "fail", policy: "reject", tag: "np", requested: "reject", orgDomain: "example.com", polDom: "example.com", wantRecord: true},
		{name: "sp for an existing subdomain", from: "a@www.example.com",
			txt: map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=quarantine; sp=none; np=reject"},
				"www.example.com": {"exists"}},
			result: "fail", policy: "none", tag: "sp", requested: "none", orgDomain: "example.com", polDom: "example.com", wantRecord: true},
		{name: "t=y lowers reject to quarantine (§4.7)", from: "a@example.com",
			txt:    map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=reject; t=y; rua=mailto:dmarc-feedback@example.com"}},
			result: "fail", policy: "reject", tag: "p", requested: "quarantine", testing: true, orgDomain: "example.com", polDom: "example.com", wantRecord: true},
		{name: "a record without p= but with rua acts as p=none (§4.10.1)", from: "a@example.com",
			txt:    map[string][]string{"_dmarc.example.com": {"v=DMARC1; rua=mailto:dmarc-feedback@example.com"}},
			result: "fail", policy: "none", tag: "p", requested: "none", orgDomain: "example.com", polDom: "example.com", wantRecord: true},
		{name: "RFC 7489 record with pct keeps working", from: "a@example.com",
			txt:    map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=reject; pct=50; rf=afrf; ri=86400"}},
			result: "fail", policy: "reject", tag: "p", requested: "reject", orgDomain: "example.com", polDom: "example.com", wantRecord: true},
		{name: "psd=y at a public suffix: the organizational domain is the name below it", from: "a@mail.example.test",
			txt:    map[string][]string{"_dmarc.test": {"v=DMARC1; p=reject; psd=y"}},
			result: "fail", policy: "reject", tag: "p", requested: "reject", orgDomain: "example.test", polDom: "test", wantRecord: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &resolver.Fake{TXT: tc.txt}
			got := CheckDMARC(context.Background(), &dmarc.Checker{R: r}, mailmsg.ParseFrom([]string{tc.from}), txn.SPF{}, nil)
			if got.Result != tc.result || got.Policy != tc.policy || got.PolicyTag != tc.tag || got.Requested != tc.requested ||
				got.Testing != tc.testing || got.OrgDomain != tc.orgDomain || got.PolicyDomain != tc.polDom ||
				(got.Record != nil) != tc.wantRecord || got.Discovery != "treewalk" {
				t.Errorf("got %+v", got)
			}
		})
	}
}

// A DNS timeout on the policy lookup is temperror, never fail.
func TestCheckDMARCTimeoutIsTemperror(t *testing.T) {
	r := &resolver.Fake{Errors: map[string]error{"_dmarc.example.com": resolver.Temporary("_dmarc.example.com", "i/o timeout", true)}}
	got := CheckDMARC(context.Background(), &dmarc.Checker{R: r}, mailmsg.ParseFrom([]string{"a@example.com"}), txn.SPF{}, nil)
	if got.Result != txn.ResultTemperror || got.Policy != "" {
		t.Errorf("got %+v, want temperror without a policy", got)
	}
}
