package dmarcreport_test

import (
	"fmt"
	"io"
	"net/netip"
	"time"

	"milter91/internal/dmarcreport"
)

// Example builds the day's report for example.com from two stored
// entries and names its file.
func Example() {
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	e := dmarcreport.Entry{
		Time: day.Add(time.Hour), SourceIP: netip.MustParseAddr("192.0.2.10"),
		HeaderFrom: "example.com", EnvelopeFrom: "example.com",
		Policy:      dmarcreport.PolicyPublished{Domain: "example.com", P: "reject"},
		Disposition: "pass", DKIMAligned: true,
		DKIM: []dmarcreport.DKIMResult{{Domain: "example.com", Selector: "s1", Result: "pass"}},
		SPF:  &dmarcreport.SPFResult{Domain: "example.com", Result: "softfail"},
	}
	reports := dmarcreport.Build(dmarcreport.Meta{OrgName: "mx.example.net", Email: "dmarc@example.net",
		Receiver: "mx.example.net", Begin: day, End: day.Add(24 * time.Hour)}, []dmarcreport.Entry{e, e})
	fb := reports[0]
	fmt.Println(dmarcreport.Filename("mx.example.net", fb, ""), fb.Records[0].Row.Count)
	fmt.Println(dmarcreport.Write(io.Discard, fb))
	// Output:
	// mx.example.net!example.com!1780272000!1780358400.xml.gz 2
	// <nil>
}
