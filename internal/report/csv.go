package report

import (
	"encoding/csv"
	"io"
	"strconv"
	"time"
)

// CSVHeader is the header row of WriteCSV.
var CSVHeader = []string{"section", "day", "direction", "key", "name", "count"}

// WriteCSV writes r as one CSV table (RFC 4180 quoting, comma separator,
// "\n" line ends) with the header CSVHeader and one row per figure, so that a
// spreadsheet can filter or pivot it on section. Sections, in order:
//
//	section           day          direction  key              name            count
//	period            RFC 3339                since | until
//	total                                     messages                         n
//	action                                    accept … reject                  n
//	direction                      inbound…   messages                         n
//	direction_action               inbound…   accept … reject                  n
//	day               2006-01-02              accept … reject                  n
//	rule                                      rule id                          n
//	article                                   Art. 18          Art. 18 label   n
//	advertiser                                domain                           n
//	blocked_ip                                client IP (top r.Top only)       n
//	throttled                                 sender (top r.Top only)          n
//	would                                     accept … reject                  n
//	authority_request                         list: REF of YYYY-MM-DD          n
//	user_report                               total | ads | refusals | unmapped | type:abuse …  n
//
// Each section's counts sum to the messages of the period, except those of
// rule, article, advertiser, blocked_ip and throttled (a message counts once per
// rule, article, advertiser, IP and sender) and would (only the messages of observe
// mode, by the action not taken). Day rows cover every day, zeros included;
// direction "" is mail filtered with the Decree 91 stage off, "rcpt" a
// client refused at RCPT (before DATA). A text cell
// that a spreadsheet would take for a formula (first character = + - @ tab
// or CR) gets a leading apostrophe (OWASP "CSV injection"): rule ids and
// advertiser domains come from mail and configuration. A write error of w
// is returned as is.
func WriteCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	row := func(section, day, dir, key, name string, n int64) {
		// The buffered writer keeps the first write error; Flush and Error return it.
		_ = cw.Write([]string{section, day, cell(dir), cell(key), cell(name), strconv.FormatInt(n, 10)})
	}
	_ = cw.Write(CSVHeader)
	_ = cw.Write([]string{"period", r.Since.UTC().Format(time.RFC3339), "", "since", "", ""})
	_ = cw.Write([]string{"period", r.Until.UTC().Format(time.RFC3339), "", "until", "", ""})
	row("total", "", "", "messages", "", r.Totals.Messages)
	for _, it := range r.Totals.ByAction {
		row("action", "", "", it.Key, "", it.N)
	}
	for _, d := range r.Totals.ByDirection {
		row("direction", "", d.Direction, "messages", "", d.Messages)
	}
	for _, d := range r.Totals.ByDirection {
		for _, it := range d.ByAction {
			row("direction_action", "", d.Direction, it.Key, "", it.N)
		}
	}
	for _, d := range r.Days {
		for _, it := range d.ByAction {
			row("day", d.Day.UTC().Format(time.DateOnly), "", it.Key, "", it.N)
		}
	}
	for _, s := range []struct {
		name  string
		items []Item
	}{
		{name: "rule", items: r.Rules},
		{name: "article", items: r.Articles},
		{name: "advertiser", items: r.Advertisers},
		{name: "blocked_ip", items: r.TopBlockedIPs},
		{name: "throttled", items: r.TopThrottled},
		{name: "would", items: r.Observed},
		{name: "authority_request", items: r.Requests},
	} {
		for _, it := range s.items {
			row(s.name, "", "", it.Key, it.Name, it.N)
		}
	}
	u := r.UserReports
	for _, it := range []Item{{Key: "total", N: u.Total}, {Key: "ads", N: u.Ads}, {Key: "refusals", N: u.Refusals}, {Key: "unmapped", N: u.Unmapped}} {
		row("user_report", "", "", it.Key, "", it.N)
	}
	for _, it := range u.ByType {
		row("user_report", "", "", "type:"+it.Key, "", it.N)
	}
	cw.Flush()
	return cw.Error()
}

// cell defuses a text cell a spreadsheet would evaluate as a formula.
func cell(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}
