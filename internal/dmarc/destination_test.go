package dmarc

import (
	"context"
	"testing"
)

// TestDestinationsRFC9990Example is the example of RFC 9990 §4:
// blue.example.com asks for reports at red.example.net, which confirms
// at blue.example.com._report._dmarc.red.example.net.
func TestDestinationsRFC9990Example(t *testing.T) {
	rec, _ := Parse("v=DMARC1; p=none; rua=mailto:reports@red.example.net, mailto:dmarc@example.com")
	tests := []struct {
		name    string
		confirm string
		want    []Destination
	}{
		{"confirmed", "v=DMARC1", []Destination{
			{URI: "mailto:reports@red.example.net", Allowed: true, External: true},
			{URI: "mailto:dmarc@example.com", Allowed: true}}},
		{"override on the same host", "v=DMARC1; rua=mailto:dmarc-in@red.example.net", []Destination{
			{URI: "mailto:dmarc-in@red.example.net", Allowed: true, External: true, Detail: "override from blue.example.com._report._dmarc.red.example.net"},
			{URI: "mailto:dmarc@example.com", Allowed: true}}},
		{"override to another host", "v=DMARC1; rua=mailto:x@elsewhere.example", []Destination{
			{URI: "mailto:reports@red.example.net", External: true, Detail: "the override mailto:x@elsewhere.example at blue.example.com._report._dmarc.red.example.net names another host: no report to either URI"},
			{URI: "mailto:dmarc@example.com", Allowed: true}}},
		{"not confirmed", "", []Destination{
			{URI: "mailto:reports@red.example.net", External: true, Detail: "no v=DMARC1 record at blue.example.com._report._dmarc.red.example.net: red.example.net did not agree to receive reports for blue.example.com"},
			{URI: "mailto:dmarc@example.com", Allowed: true}}},
	}
	for _, tt := range tests {
		r := zone(map[string]string{"_dmarc.example.com": "v=DMARC1; p=none"})
		if tt.confirm != "" {
			r.TXT["blue.example.com._report._dmarc.red.example.net"] = []string{"unrelated", tt.confirm}
		}
		got, err := (&Checker{R: r}).Destinations(context.Background(), "blue.example.com", rec)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if len(got) != len(tt.want) {
			t.Fatalf("%s: %+v", tt.name, got)
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s %d:\n%+v\nwant\n%+v", tt.name, i, got[i], tt.want[i])
			}
		}
	}
	r := zone(nil).timeout("blue.example.com._report._dmarc.red.example.net")
	if _, err := (&Checker{R: r}).Destinations(context.Background(), "blue.example.com", rec); err == nil {
		t.Error("a timeout decided the destination")
	}
}

// TestFailureDestinations: ruf URIs are verified as rua ones, and the
// override is the confirming record's ruf (RFC 9991 §3), not its rua.
func TestFailureDestinations(t *testing.T) {
	r := zone(map[string]string{"_dmarc.example.com": "v=DMARC1; p=none"})
	r.TXT["blue.example.com._report._dmarc.red.example.net"] = []string{"v=DMARC1; rua=mailto:agg@red.example.net; ruf=mailto:fail@red.example.net"}
	c := &Checker{R: r}
	got, err := c.FailureDestinations(context.Background(), "blue.example.com", []string{"mailto:ruf@red.example.net", "mailto:x@unconfirmed.example"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Destination{
		{URI: "mailto:fail@red.example.net", Allowed: true, External: true, Detail: "override from blue.example.com._report._dmarc.red.example.net"},
		{URI: "mailto:x@unconfirmed.example", External: true, Detail: "no v=DMARC1 record at blue.example.com._report._dmarc.unconfirmed.example: unconfirmed.example did not agree to receive reports for blue.example.com"},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}
