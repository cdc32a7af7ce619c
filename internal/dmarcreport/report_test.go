package dmarcreport

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"net/netip"
	"testing"
	"time"
)

var day = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func meta() Meta {
	return Meta{OrgName: "mx.example.net", Email: "dmarc-reports@example.net", Receiver: "mx.example.net",
		Generator: "milter91 test", Begin: day, End: day.Add(24 * time.Hour)}
}

func entries() []Entry {
	pub := PolicyPublished{Domain: "example.com", DiscoveryMethod: "treewalk", P: "reject", SP: "quarantine", ADKIM: "r", ASPF: "r", FO: "0", Testing: "n"}
	spf := &SPFResult{Domain: "example.com", Scope: "mfrom", Result: "pass"}
	ip := netip.MustParseAddr("192.0.2.10")
	pass := Entry{Time: day.Add(time.Hour), SourceIP: ip, HeaderFrom: "example.com", EnvelopeFrom: "example.com", Policy: pub,
		Disposition: "pass", DKIMAligned: true, SPFAligned: true,
		DKIM: []DKIMResult{{Domain: "example.com", Selector: "s1", Result: "pass"}}, SPF: spf}
	forwarded := Entry{Time: day.Add(2 * time.Hour), SourceIP: netip.MustParseAddr("2001:db8::1"), HeaderFrom: "example.com",
		EnvelopeFrom: "list.example.org", Policy: pub, Disposition: "none",
		Reasons: []Reason{{Type: "mailing_list", Comment: "ARC chain of list.example.org"}},
		DKIM:    []DKIMResult{{Domain: "example.com", Selector: "s1", Result: "fail", HumanResult: "body hash mismatch"}},
		SPF:     &SPFResult{Domain: "list.example.org", Scope: "mfrom", Result: "pass"}}
	later := pub
	later.P = "quarantine"
	other := Entry{Time: day.Add(3 * time.Hour), SourceIP: ip, HeaderFrom: "shop.example.net", Policy: PolicyPublished{Domain: "Example.NET", P: "none"}, Disposition: "none"}
	outside := pass
	outside.Time = day.Add(-time.Second)
	last := pass
	last.Time = day.Add(5 * time.Hour)
	last.Policy = later
	return []Entry{pass, pass, forwarded, other, outside, last}
}

func TestBuildGroupsAndCounts(t *testing.T) {
	fbs := Build(meta(), entries())
	if len(fbs) != 2 || fbs[0].Published.Domain != "example.com" || fbs[1].Published.Domain != "example.net" {
		t.Fatalf("%d reports", len(fbs))
	}
	com := fbs[0]
	if com.Published.P != "quarantine" {
		t.Errorf("policy_published p=%s, want the last entry's quarantine", com.Published.P)
	}
	if len(com.Records) != 2 || com.Records[0].Row.Count != 3 || com.Records[1].Row.Count != 1 {
		t.Fatalf("records %+v", com.Records)
	}
	if r := com.Records[1]; r.Row.SourceIP != "2001:db8::1" || r.Row.PolicyEvaluated.DKIM != "fail" || r.Row.PolicyEvaluated.SPF != "fail" {
		t.Errorf("forwarded record %+v", r)
	}
	if com.Metadata.ReportID != "1780272000.example.com@mx.example.net" || com.Metadata.DateRange.End-com.Metadata.DateRange.Begin != 86400 {
		t.Errorf("metadata %+v", com.Metadata)
	}
	if n := fbs[1].Records[0].Identifiers; n.EnvelopeFrom != nil {
		t.Errorf("envelope_from without an SPF check: %q", *n.EnvelopeFrom)
	}
}

// TestReportValidatesAgainstSchema: every report Build makes, written
// and decompressed, is valid by RFC 9990's schema.
func TestReportValidatesAgainstSchema(t *testing.T) {
	s := loadSchema(t, "testdata/dmarc-xml-0.2.xsd")
	for _, fb := range Build(meta(), entries()) {
		var gz bytes.Buffer
		if err := Write(&gz, fb); err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(&gz)
		if err != nil {
			t.Fatal(err)
		}
		var doc bytes.Buffer
		doc.ReadFrom(zr)
		if errs := s.validate(bytes.NewReader(doc.Bytes())); len(errs) > 0 {
			t.Fatalf("%s: %q\n%s", fb.Published.Domain, errs, doc.String())
		}
		var back Feedback
		if err := xml.Unmarshal(doc.Bytes(), &back); err != nil || back.Published.Domain != fb.Published.Domain || len(back.Records) != len(fb.Records) {
			t.Fatalf("round trip: %v %+v", err, back.Published)
		}
	}
}

func TestFilenameAndSubject(t *testing.T) {
	fb := Build(meta(), entries())[0]
	if got, want := Filename("MX.example.net", fb, ""), "mx.example.net!example.com!1780272000!1780358400.xml.gz"; got != want {
		t.Errorf("filename %s, want %s", got, want)
	}
	if got, want := Filename("mx.example.net", fb, "a1"), "mx.example.net!example.com!1780272000!1780358400!a1.xml.gz"; got != want {
		t.Errorf("filename %s, want %s", got, want)
	}
	if got, want := Subject("mx.example.net", fb), "Report Domain: example.com Submitter: mx.example.net Report-ID: <1780272000.example.com@mx.example.net>"; got != want {
		t.Errorf("subject %q", got)
	}
}
