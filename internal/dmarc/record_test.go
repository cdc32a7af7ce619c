package dmarc

import (
	"reflect"
	"strings"
	"testing"
)

// The records of RFC 9989 Appendix B (each zone-file record's strings
// concatenated, as a TXT lookup returns them).
var rfcRecords = map[string]string{
	"B.2.1":      "v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com",
	"B.2.2":      "v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com; ruf=mailto:auth-reports@example.com",
	"B.2.3":      "v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com; ruf=mailto:auth-reports@thirdparty.example.net",
	"B.2.3 auth": "v=DMARC1;",
	"B.2.4":      "v=DMARC1; rua=mailto:aggregate-reports@thirdparty.example.net; ruf=mailto:failure-reports@thirdparty.example.net",
	"B.2.5 test": "v=DMARC1; p=quarantine; rua=mailto:dmarc-feedback@example.com,mailto:tld-test@thirdparty.example.net; t=y",
	"B.2.5 live": "v=DMARC1; p=reject; rua=mailto:dmarc-feedback@example.com,mailto:tld-test@thirdparty.example.net",
	// printed on two lines in the RFC; one TXT string in DNS
	"B.3.1": "v=DMARC1; p=reject; aspf=r; rua=mailto:dmarc-feedback@example.com",
}

func TestParseRFC9989Examples(t *testing.T) {
	tests := []struct {
		name   string
		policy Policy
		bad    bool
		test   bool
		rua    []string
		ruf    []string
	}{
		{"B.2.1", PolicyNone, false, false, []string{"mailto:dmarc-feedback@example.com"}, nil},
		{"B.2.2", PolicyNone, false, false, []string{"mailto:dmarc-feedback@example.com"}, []string{"mailto:auth-reports@example.com"}},
		{"B.2.3", PolicyNone, false, false, []string{"mailto:dmarc-feedback@example.com"}, []string{"mailto:auth-reports@thirdparty.example.net"}},
		{"B.2.3 auth", "", true, false, nil, nil},
		{"B.2.4", "", true, false, []string{"mailto:aggregate-reports@thirdparty.example.net"}, []string{"mailto:failure-reports@thirdparty.example.net"}},
		{"B.2.5 test", PolicyQuarantine, false, true, []string{"mailto:dmarc-feedback@example.com", "mailto:tld-test@thirdparty.example.net"}, nil},
		{"B.2.5 live", PolicyReject, false, false, []string{"mailto:dmarc-feedback@example.com", "mailto:tld-test@thirdparty.example.net"}, nil},
	}
	for _, tt := range tests {
		r, err := Parse(rfcRecords[tt.name])
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if r.Policy != tt.policy || r.BadPolicy != tt.bad || r.Testing != tt.test ||
			!reflect.DeepEqual(r.RUA, tt.rua) || !reflect.DeepEqual(r.RUF, tt.ruf) {
			t.Errorf("%s: %+v", tt.name, r)
		}
		if r.ADKIM != 'r' || r.ASPF != 'r' || r.PSD != 'u' || r.FO != "0" || r.Pct != -1 {
			t.Errorf("%s: defaults %c %c %c %s %d", tt.name, r.ADKIM, r.ASPF, r.PSD, r.FO, r.Pct)
		}
	}
	if r, _ := Parse(rfcRecords["B.3.1"]); r == nil || r.Policy != PolicyReject || len(r.RUA) != 1 {
		t.Errorf("B.3.1: %+v", r)
	}
}

// TestRecordWithoutP: RFC 9989 §4.10.1 — no valid p: a record with a
// valid rua acts as p=none; without, no DMARC processing. go-msgauth's
// RFC 7489 parser refused both.
func TestRecordWithoutP(t *testing.T) {
	withRUA, _ := Parse("v=DMARC1; rua=mailto:agg@example.com")
	without, _ := Parse("v=DMARC1; adkim=s")
	badSP, _ := Parse("v=DMARC1; p=reject; sp=never")
	if !withRUA.Usable() || !withRUA.BadPolicy || without.Usable() || !badSP.BadPolicy || badSP.Usable() {
		t.Fatalf("with rua %+v, without %+v, bad sp %+v", withRUA, without, badSP)
	}
}

func TestParseTags(t *testing.T) {
	r, err := Parse("v=DMARC1;p=Reject;sp=quarantine;np=reject;adkim=s;aspf=S;psd=y;t=n;fo=1:d:s;rua=mailto:a@example.com!10m, https://r.example.net/dmarc;x-future=1;P=none")
	if err != nil {
		t.Fatal(err)
	}
	want := Record{Policy: PolicyReject, SubdomainPolicy: PolicyQuarantine, NonexistentPolicy: PolicyReject,
		ADKIM: 's', ASPF: 's', PSD: 'y', FO: "1:d:s", Pct: -1,
		RUA: []string{"mailto:a@example.com", "https://r.example.net/dmarc"}}
	got := *r
	got.Problems = nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	if len(r.Problems) != 1 || !strings.Contains(r.Problems[0], "repeated") {
		t.Errorf("problems %q", r.Problems)
	}
}

// TestParseRFC7489Records: the removed tags are accepted and kept.
func TestParseRFC7489Records(t *testing.T) {
	r, err := Parse("v=DMARC1; p=quarantine; pct=20; rf=afrf; ri=86400; rua=mailto:d@example.com")
	if err != nil || r.Pct != 20 || r.RF != "afrf" || r.RI != "86400" || r.Policy != PolicyQuarantine || len(r.Problems) != 0 {
		t.Fatalf("%+v %v", r, err)
	}
}

func TestParseBadValuesDefault(t *testing.T) {
	r, _ := Parse("v=DMARC1; p=none; adkim=x; aspf=; psd=maybe; t=yes; fo=0:1; pct=101; rua=dmarc@example.com, mailto:nodomain, mailto:ok@example.com; foo")
	if r.ADKIM != 'r' || r.ASPF != 'r' || r.PSD != 'u' || r.Testing || r.FO != "0" || r.Pct != -1 {
		t.Errorf("defaults not kept: %+v", r)
	}
	if !reflect.DeepEqual(r.RUA, []string{"mailto:ok@example.com"}) {
		t.Errorf("rua %q", r.RUA)
	}
	if len(r.Problems) != 9 {
		t.Errorf("%d problems: %q", len(r.Problems), r.Problems)
	}
}

func TestIsRecord(t *testing.T) {
	for txt, want := range map[string]bool{
		"v=DMARC1":            true,
		"v=DMARC1;":           true,
		"V = DMARC1 ; p=none": true,
		"  v=DMARC1; p=none":  true,
		"v=dmarc1; p=none":    false, // the value is case-sensitive
		"v=DMARC10; p=none":   false,
		"p=none; v=DMARC1":    false,
		"v=spf1 -all":         false,
		"":                    false,
		"v=DMARC1 p=none":     false,
		"v=DMARC1\t":          true,
		"vv=DMARC1":           false,
	} {
		if IsRecord(txt) != want {
			t.Errorf("IsRecord(%q) = %v", txt, !want)
		}
		if _, err := Parse(txt); (err == nil) != want {
			t.Errorf("Parse(%q): %v", txt, err)
		}
	}
}
