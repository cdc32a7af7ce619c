package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"time"

	"github.com/dustin/go-humanize"

	"milter91/internal/archive"
)

//go:embed report.html.tmpl
var pageSource string

// page is parsed once; a template error fails every test of WriteHTML.
var page = template.Must(template.New("report").Parse(pageSource))

// WriteHTML writes r as one self-contained HTML page for a manager: the
// period, the totals by action and direction, a stacked bar chart of the
// daily messages by action (inline SVG), and tables of rules, articles,
// top advertisers and top blocked client IPs. The page has inline CSS only:
// no script, no external resource. Every text from the counts (rule ids,
// advertiser domains) is escaped by html/template. A report without mail
// says so instead of drawing the chart. A write error of w is returned as
// is.
func WriteHTML(w io.Writer, r Report) error {
	return page.Execute(w, newView(r))
}

// view is what the template prints: text already formatted.
type view struct {
	Period      string
	NoMail      bool
	Messages    string
	Actions     []row
	Directions  []dirRow
	ActionNames []string
	Chart       *chart
	Rules       []row
	Articles    []row
	Advertisers []row
	// AdvertisersNote and BlockedNote say how much the top lists leave out.
	AdvertisersNote string
	BlockedIPs      []row
	BlockedNote     string
	Throttled       []row
	ThrottledNote   string
	// UserReports are the spam reports' counts (Art. 10.2, 12.1).
	UserReports []row
	// Requests are the authority's blocking requests matched (Art. 6.3, 9.4).
	Requests []row
	// Observed are the verdicts observe mode computed and did not enforce.
	Observed []row
}

// row is one table row: key, optional name, count and share of messages.
type row struct {
	Key, Name, N, Share string
	Color               string
}

type dirRow struct {
	Direction, Messages string
	ByAction            []string
}

func newView(r Report) view {
	m := r.Totals.Messages
	v := view{
		Period:   period(r),
		NoMail:   m == 0,
		Messages: humanize.Comma(m),
		Chart:    newChart(r.Days, r.Totals.ByAction),
		Rules:    rows(r.Rules, m), Articles: rows(r.Articles, m),
		Advertisers: rows(r.TopAdvertisers, 0), BlockedIPs: rows(r.TopBlockedIPs, 0), Throttled: rows(r.TopThrottled, 0),
		Requests: rows(r.Requests, 0), Observed: rows(r.Observed, 0),
	}
	if u := r.UserReports; u.Total > 0 {
		items := []Item{{Key: "reports", N: u.Total}, {Key: "about ads", N: u.Ads},
			{Key: "refusals recorded", N: u.Refusals}, {Key: "reporting recipient unknown", N: u.Unmapped}}
		for _, it := range u.ByType {
			items = append(items, Item{Key: "feedback type " + it.Key, N: it.N})
		}
		v.UserReports = rows(items, 0)
	}
	for _, a := range r.Totals.ByAction {
		v.ActionNames = append(v.ActionNames, a.Key)
	}
	v.Actions = rows(r.Totals.ByAction, m)
	for i := range v.Actions {
		v.Actions[i].Color = actionColor(v.Actions[i].Key)
	}
	for _, d := range r.Totals.ByDirection {
		dr := dirRow{Direction: directionLabel(d.Direction), Messages: humanize.Comma(d.Messages)}
		for _, a := range d.ByAction {
			dr.ByAction = append(dr.ByAction, humanize.Comma(a.N))
		}
		v.Directions = append(v.Directions, dr)
	}
	if len(r.Advertisers) > len(r.TopAdvertisers) {
		rest := r.Advertisers[len(r.TopAdvertisers):]
		var ads int64
		for _, a := range rest {
			ads += a.N
		}
		v.AdvertisersNote = fmt.Sprintf("Not listed: %s with %s.", plural(int64(len(rest)), "advertiser"),
			plural(ads, "advertising message"))
	}
	if r.BlockedIPs > len(r.TopBlockedIPs) {
		v.BlockedNote = fmt.Sprintf("Top %d of %s refused for their address.",
			len(r.TopBlockedIPs), plural(int64(r.BlockedIPs), "client IP"))
	}
	if r.Throttled > len(r.TopThrottled) {
		v.ThrottledNote = fmt.Sprintf("Top %d of %s held by a rate limit.",
			len(r.TopThrottled), plural(int64(r.Throttled), "sender"))
	}
	return v
}

// period names the days covered: "2025-01-01 to 2025-06-29 (180 days, UTC)".
func period(r Report) string {
	n := len(r.Days)
	switch n {
	case 0:
		return fmt.Sprintf("no whole day between %s and %s", r.Since.Format(time.RFC3339), r.Until.Format(time.RFC3339))
	case 1:
		return r.Days[0].Day.Format(time.DateOnly) + " (1 day, UTC)"
	}
	return fmt.Sprintf("%s to %s (%d days, UTC)",
		r.Days[0].Day.Format(time.DateOnly), r.Days[n-1].Day.Format(time.DateOnly), n)
}

// rows formats items; with messages > 0 each gets its share of them.
func rows(items []Item, messages int64) []row {
	out := make([]row, len(items))
	for i, it := range items {
		out[i] = row{Key: it.Key, Name: it.Name, N: humanize.Comma(it.N)}
		if messages > 0 {
			out[i].Share = fmt.Sprintf("%.1f%%", 100*float64(it.N)/float64(messages))
		}
	}
	return out
}

// directionLabel names a direction of the counts for the page.
func directionLabel(d string) string {
	switch d {
	case "":
		return "unspecified (Decree 91 stage off)"
	case archive.DirectionRCPTStage:
		return "RCPT stage (before DATA)"
	}
	return d
}

// plural is "1 advertiser" or "1,234 advertisers".
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return humanize.Comma(n) + " " + noun + "s"
}
