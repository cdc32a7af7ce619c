package dmarc

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/publicsuffix"
)

// TestDeepTreeWalk is RFC 9989 §4.10's illustration and Appendix B.4.2:
// an Author Domain of many labels costs eight queries, the names the RFC
// lists, and the record at example.com applies.
func TestDeepTreeWalk(t *testing.T) {
	r := zone(map[string]string{
		"_dmarc.example.com":         "v=DMARC1; p=reject",
		"_dmarc.signing.example.com": "v=DMARC1; p=none",
	})
	c := &Checker{R: r}
	author := "a.b.c.d.e.f.g.h.i.j.k.example.com"
	res := c.Evaluate(context.Background(), Input{AuthorDomain: author,
		SPF: pass("example.com"), DKIM: []Identifier{pass("signing.example.com")}})
	want := []string{
		"_dmarc.a.b.c.d.e.f.g.h.i.j.k.example.com", "_dmarc.g.h.i.j.k.example.com",
		"_dmarc.h.i.j.k.example.com", "_dmarc.i.j.k.example.com", "_dmarc.j.k.example.com",
		"_dmarc.k.example.com", "_dmarc.example.com", "_dmarc.com",
		"_dmarc.signing.example.com",
	}
	if !reflect.DeepEqual(r.names, want) {
		t.Errorf("queries\n%q\nwant\n%q", r.names, want)
	}
	if res.Result != ResultPass || !res.SPFAligned || !res.DKIMAligned || res.PolicyDomain != "example.com" || res.OrgDomain != "example.com" {
		t.Errorf("%+v", res)
	}
	// the walk of §4.10's own example: 13 labels, eight queries
	r = zone(nil)
	(&Checker{R: r}).Evaluate(context.Background(), Input{AuthorDomain: "a.b.c.d.e.f.g.h.i.j.mail.example.com"})
	if len(r.names) != MaxWalkQueries+0 || r.names[1] != "_dmarc.g.h.i.j.mail.example.com" || r.names[7] != "_dmarc.com" {
		t.Errorf("queries %q", r.names)
	}
}

// TestSimpleOrganizationalExample is RFC 9989 Appendix B.4.1.
func TestSimpleOrganizationalExample(t *testing.T) {
	c := &Checker{R: zone(map[string]string{
		"_dmarc.example.com":         "v=DMARC1; p=reject",
		"_dmarc.signing.example.com": "v=DMARC1; p=none",
	})}
	res := c.Evaluate(context.Background(), Input{AuthorDomain: "example.com",
		SPF: pass("example.com"), DKIM: []Identifier{pass("signing.example.com")}})
	if res.Result != ResultPass || !res.SPFAligned || !res.DKIMAligned || res.PolicyDomain != "example.com" {
		t.Errorf("%+v", res)
	}
}

// TestPSDExample is RFC 9989 Appendix B.4.3: psd=y at bank.example makes
// giant.bank.example and mega.bank.example different organizations.
func TestPSDExample(t *testing.T) {
	c := &Checker{R: zone(map[string]string{
		"_dmarc.bank.example":       "v=DMARC1; p=reject; psd=y",
		"_dmarc.giant.bank.example": "v=DMARC1; p=quarantine",
	})}
	res := c.Evaluate(context.Background(), Input{AuthorDomain: "giant.bank.example",
		SPF: pass("mail.giant.bank.example"), DKIM: []Identifier{pass("mail.mega.bank.example")}})
	if res.Result != ResultPass || !res.SPFAligned || res.DKIMAligned || res.OrgDomain != "giant.bank.example" || res.PolicyDomain != "giant.bank.example" {
		t.Errorf("%+v", res)
	}
	// without SPF the DKIM identifier alone does not align: fail, p of
	// giant.bank.example applies
	res = c.Evaluate(context.Background(), Input{AuthorDomain: "giant.bank.example", DKIM: []Identifier{pass("mail.mega.bank.example")}})
	if res.Result != ResultFail || res.Policy != PolicyQuarantine || res.PolicyTag != "p" {
		t.Errorf("%+v", res)
	}
}

// TestOrganizationalDomainExamples are the three examples closing RFC
// 9989 §4.10.2, for the starting domain a.mail.example.com.
func TestOrganizationalDomainExamples(t *testing.T) {
	tests := []struct {
		records map[string]string
		org     string
	}{
		{map[string]string{"_dmarc.mail.example.com": "v=DMARC1; p=none", "_dmarc.example.com": "v=DMARC1; p=none"}, "example.com"},
		{map[string]string{"_dmarc.mail.example.com": "v=DMARC1; p=none; psd=n", "_dmarc.example.com": "v=DMARC1; p=none"}, "mail.example.com"},
		{map[string]string{"_dmarc.com": "v=DMARC1; p=none; psd=y"}, "example.com"},
	}
	for i, tt := range tests {
		w := newWalker(context.Background(), zone(tt.records))
		org, err := w.orgDomain("a.mail.example.com", nil)
		if err != nil || org != tt.org {
			t.Errorf("example %d: %q %v, want %s", i+1, org, err, tt.org)
		}
	}
}

func TestPolicyAndTesting(t *testing.T) {
	records := map[string]string{
		"_dmarc.example.com": "v=DMARC1; p=reject; sp=quarantine; np=reject; t=y",
	}
	tests := []struct {
		author    string
		exists    bool
		policy    Policy
		tag       string
		requested Policy
	}{
		{"example.com", true, PolicyReject, "p", PolicyQuarantine},
		{"news.example.com", true, PolicyQuarantine, "sp", PolicyNone},
		{"ghost.example.com", false, PolicyReject, "np", PolicyQuarantine},
	}
	for _, tt := range tests {
		r := zone(records)
		if tt.exists {
			r.TXT[tt.author] = []string{"v=spf1 -all"}
		}
		res := (&Checker{R: r}).Evaluate(context.Background(), Input{AuthorDomain: tt.author, SPF: pass("other.example")})
		if res.Result != ResultFail || res.Policy != tt.policy || res.PolicyTag != tt.tag || !res.Testing || res.Requested != tt.requested {
			t.Errorf("%s: %+v", tt.author, res)
		}
	}
}

// TestNoPolicyRecordForms: RFC 9989 §4.10.1 for records without a valid
// policy.
func TestNoPolicyRecordForms(t *testing.T) {
	withRUA := &Checker{R: zone(map[string]string{"_dmarc.example.com": "v=DMARC1; rua=mailto:d@example.com"})}
	res := withRUA.Evaluate(context.Background(), Input{AuthorDomain: "example.com"})
	if res.Result != ResultFail || res.Policy != PolicyNone {
		t.Errorf("with rua: %+v", res)
	}
	bare := &Checker{R: zone(map[string]string{"_dmarc.example.com": "v=DMARC1; adkim=s"})}
	if res := bare.Evaluate(context.Background(), Input{AuthorDomain: "example.com"}); res.Result != ResultNone {
		t.Errorf("without rua: %+v", res)
	}
	two := zone(map[string]string{"_dmarc.example.com": "v=DMARC1; p=reject"})
	two.TXT["_dmarc.example.com"] = append(two.TXT["_dmarc.example.com"], "v=DMARC1; p=none")
	if res := (&Checker{R: two}).Evaluate(context.Background(), Input{AuthorDomain: "example.com"}); res.Result != ResultNone || !strings.Contains(res.Detail, "several") {
		t.Errorf("two records: %+v", res)
	}
	if res := (&Checker{R: zone(nil)}).Evaluate(context.Background(), Input{}); res.Result != ResultPermerror {
		t.Errorf("no author domain: %+v", res)
	}
}

// TestTimeoutsAreTemperror: a DNS timeout anywhere the answer depends on
// gives temperror, never fail; an aligned pass still passes.
func TestTimeoutsAreTemperror(t *testing.T) {
	rec := map[string]string{"_dmarc.example.com": "v=DMARC1; p=reject"}
	tests := []struct {
		name    string
		r       *recorder
		in      Input
		want    string
		inCause string
	}{
		{"author lookup", zone(rec).timeout("_dmarc.example.com"), Input{AuthorDomain: "example.com"}, ResultTemperror, "_dmarc.example.com"},
		{"walk", zone(rec).timeout("_dmarc.com"), Input{AuthorDomain: "a.example.com"}, ResultTemperror, "tree walk"},
		{"identifier walk", zone(rec).timeout("_dmarc.other.example"), Input{AuthorDomain: "example.com", DKIM: []Identifier{pass("mail.other.example")}}, ResultTemperror, "alignment of mail.other.example"},
		{"SPF temperror", zone(rec), Input{AuthorDomain: "example.com", SPF: Identifier{"bounce.example.com", ResultTemperror}}, ResultTemperror, "temperror for aligned"},
		{"aligned pass despite timeout", zone(rec).timeout("_dmarc.other.example"), Input{AuthorDomain: "example.com",
			SPF: pass("example.com"), DKIM: []Identifier{pass("mail.other.example")}}, ResultPass, ""},
		{"unaligned temperror is fail", zone(rec), Input{AuthorDomain: "example.com", SPF: Identifier{"other.example", ResultTemperror}}, ResultFail, ""},
	}
	for _, tt := range tests {
		res := (&Checker{R: tt.r}).Evaluate(context.Background(), tt.in)
		if res.Result != tt.want || !strings.Contains(res.Detail, tt.inCause) {
			t.Errorf("%s: %+v", tt.name, res)
		}
	}
}

func TestStrictAlignment(t *testing.T) {
	c := &Checker{R: zone(map[string]string{"_dmarc.example.com": "v=DMARC1; p=reject; adkim=s; aspf=s"})}
	res := c.Evaluate(context.Background(), Input{AuthorDomain: "example.com", SPF: pass("bounce.example.com"), DKIM: []Identifier{pass("example.com")}})
	if res.Result != ResultPass || res.SPFAligned || !res.DKIMAligned {
		t.Errorf("%+v", res)
	}
}

// TestPSLMode: the RFC 7489 method, chosen by configuration.
func TestPSLMode(t *testing.T) {
	psl := func(d string) string { o, _ := publicsuffix.EffectiveTLDPlusOne(d); return o }
	r := zone(map[string]string{"_dmarc.example.co.uk": "v=DMARC1; p=reject; sp=none"})
	res := (&Checker{R: r, PSL: psl}).Evaluate(context.Background(), Input{AuthorDomain: "a.b.example.co.uk", SPF: pass("mail.example.co.uk")})
	if res.Result != ResultPass || res.Discovery != "psl" || res.PolicyDomain != "example.co.uk" || res.OrgDomain != "example.co.uk" {
		t.Errorf("%+v", res)
	}
	if want := []string{"_dmarc.a.b.example.co.uk", "_dmarc.example.co.uk"}; !reflect.DeepEqual(r.names, want) {
		t.Errorf("queries %q", r.names)
	}
}
