package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"milter91/internal/archive"
)

func TestWriteCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v", err)
	}
	if got := strings.Join(recs[0], ","); got != "section,day,direction,key,name,count" {
		t.Errorf("header %q", got)
	}
	got := map[string]bool{}
	sections := map[string]int{}
	for _, r := range recs[1:] {
		got[strings.Join(r, "|")] = true
		sections[r[0]]++
	}
	want := []string{
		"period|2025-03-01T00:00:00Z||since||",
		"period|2025-03-04T00:00:00Z||until||",
		"total|||messages||10",
		"action|||accept||7",
		"action|||tempfail||0",
		"direction||inbound|messages||9",
		"direction||outbound|messages||1",
		"direction_action||outbound|tag||1",
		"day|2025-03-01||accept||7",
		"day|2025-03-02||reject||0",
		"day|2025-03-03||tag||1",
		"rule|||DNSBL_ZEN||2",
		"rule|||" + hostile + "||1",
		"article|||Art. 18|Art. 18 label|1",
		"advertiser|||shop.example.com||3",
		"advertiser|||'=cmd|' /C calc'!A0||1",
		"blocked_ip|||127.0.0.2||2",
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("no row %q", w)
		}
	}
	wantSections := map[string]int{
		"period": 2, "total": 1, "action": 5, "direction": 2, "direction_action": 10,
		"day": 15, "rule": 2, "article": 1, "advertiser": 2, "blocked_ip": 1, "user_report": 4,
	}
	for s, n := range wantSections {
		if sections[s] != n {
			t.Errorf("section %s has %d rows, want %d", s, sections[s], n)
		}
	}
	if len(sections) != len(wantSections) {
		t.Errorf("sections %v", sections)
	}
}

func TestCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{in: "shop.example.com", want: "shop.example.com"},
		{in: "=1+1", want: "'=1+1"},
		{in: "+1", want: "'+1"},
		{in: "-1", want: "'-1"},
		{in: "@SUM(A1)", want: "'@SUM(A1)"},
		{in: "\tx", want: "'\tx"},
		{in: "\rx", want: "'\rx"},
		{in: "", want: ""},
		{in: "a=b", want: "a=b"},
	}
	for _, tc := range tests {
		if got := cell(tc.in); got != tc.want {
			t.Errorf("cell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Every text cell whose first character a spreadsheet reads as a formula
// (OWASP "CSV injection": = + - @ tab CR) comes out with a leading
// apostrophe through the whole writer, in each column taken from mail or
// configuration; other cells are unchanged.
func TestWriteCSVNeutralisesFormulas(t *testing.T) {
	for _, lead := range []string{"=", "+", "-", "@", "\t", "\r"} {
		t.Run(fmt.Sprintf("%q", lead), func(t *testing.T) {
			hostile := lead + "HYPERLINK(\"http://example.com\")"
			r := Report{
				Totals:      Totals{ByDirection: []DirectionTotal{{Direction: hostile}}},
				Rules:       []Item{{Key: hostile, N: 1}},
				Articles:    []Item{{Key: "Art. 18", Name: hostile, N: 1}},
				Advertisers: []Item{{Key: "safe.example.com", N: 2}},
			}
			var buf bytes.Buffer
			if err := WriteCSV(&buf, r); err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatalf("output is not CSV: %v", err)
			}
			cells := map[string]string{}
			for _, rec := range recs {
				switch rec[0] {
				case "direction":
					cells["direction"] = rec[2]
				case "rule":
					cells["rule key"] = rec[3]
				case "article":
					cells["article name"] = rec[4]
				case "advertiser":
					cells["advertiser key"] = rec[3]
				}
			}
			for col, want := range map[string]string{"direction": "'" + hostile, "rule key": "'" + hostile,
				"article name": "'" + hostile, "advertiser key": "safe.example.com"} {
				if got := cells[col]; got != want {
					t.Errorf("%s cell %q, want %q", col, got, want)
				}
			}
		})
	}
}

// The users' spam reports are their own section.
func TestWriteCSVUserReports(t *testing.T) {
	r := Build(nil, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), 10)
	r.UserReports = UserReports{Total: 3, Ads: 2, Refusals: 1, Unmapped: 1, ByType: []Item{{Key: "abuse", N: 3}}}
	var buf strings.Builder
	if err := WriteCSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"user_report,,,total,,3\n", "user_report,,,refusals,,1\n", "user_report,,,type:abuse,,3\n"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("no row %q in\n%s", want, buf.String())
		}
	}
	var page strings.Builder
	if err := WriteHTML(&page, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), `<td class="key">refusals recorded</td><td class="n">1</td>`) {
		t.Errorf("HTML without the reports table")
	}
}

// The authority's requests are a section and a table of their own.
func TestAuthorityRequestsInReport(t *testing.T) {
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	r := Build([]archive.Count{{Day: day, Direction: "inbound", Dimension: archive.DimRequest, Key: "authority: 1234/QD-BTTTT of 2026-11-02", N: 4}},
		day, day.Add(24*time.Hour), 10)
	if len(r.Requests) != 1 || r.Requests[0].N != 4 {
		t.Fatalf("requests %+v", r.Requests)
	}
	var buf strings.Builder
	if err := WriteCSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "authority_request,,,authority: 1234/QD-BTTTT of 2026-11-02,,4\n") {
		t.Errorf("CSV lacks the request row:\n%s", buf.String())
	}
	var page strings.Builder
	if err := WriteHTML(&page, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), `<td class="key">authority: 1234/QD-BTTTT of 2026-11-02</td><td class="n">4</td>`) {
		t.Errorf("HTML lacks the request row")
	}
}
