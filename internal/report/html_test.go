package report

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"milter91/internal/archive"
)

// parsePage renders r and parses it back.
func parsePage(t *testing.T, r Report) (string, *html.Node) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(strings.NewReader(buf.String()))
	if err != nil {
		t.Fatal(err)
	}
	return buf.String(), doc
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// find returns every element under n that match accepts, in document order.
func find(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && match(c) {
			out = append(out, c)
		}
	}
	return out
}

func byID(n *html.Node, id string) *html.Node {
	if f := find(n, func(c *html.Node) bool { return attr(c, "id") == id }); len(f) > 0 {
		return f[0]
	}
	return nil
}

func text(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return strings.TrimSpace(b.String())
}

// bodyCells is the text of each td of each tbody row of the table with id.
func bodyCells(t *testing.T, doc *html.Node, id string) [][]string {
	t.Helper()
	table := byID(doc, id)
	if table == nil {
		t.Fatalf("no table %q", id)
	}
	var out [][]string
	for _, tr := range find(table, func(c *html.Node) bool { return c.Data == "tr" && c.Parent.Data == "tbody" }) {
		var cells []string
		for _, td := range find(tr, func(c *html.Node) bool { return c.Data == "td" }) {
			cells = append(cells, text(td))
		}
		out = append(out, cells)
	}
	return out
}

func TestWriteHTMLTables(t *testing.T) {
	_, doc := parsePage(t, sample())
	tests := []struct {
		id   string
		want [][]string
	}{
		{id: "actions", want: [][]string{
			{"accept", "7", "70.0%"}, {"tag", "1", "10.0%"}, {"quarantine", "0", "0.0%"},
			{"tempfail", "0", "0.0%"}, {"reject", "2", "20.0%"}}},
		{id: "directions", want: [][]string{
			{"inbound", "9", "7", "0", "0", "0", "2"}, {"outbound", "1", "0", "1", "0", "0", "0"}}},
		{id: "rules", want: [][]string{{"DNSBL_ZEN", "2", "20.0%"}, {hostile, "1", "10.0%"}}},
		{id: "articles", want: [][]string{{"Art. 18 label", "1", "10.0%"}}},
		{id: "advertisers", want: [][]string{{"shop.example.com", "3"}}},
		{id: "blocked-ips", want: [][]string{{"127.0.0.2", "2"}}},
	}
	for _, tc := range tests {
		got := bodyCells(t, doc, tc.id)
		if !slices.EqualFunc(got, tc.want, slices.Equal) {
			t.Errorf("table %s = %q, want %q", tc.id, got, tc.want)
		}
	}
	title := text(find(doc, func(n *html.Node) bool { return n.Data == "title" })[0])
	if !strings.Contains(title, "2025-03-01 to 2025-03-03 (3 days, UTC)") {
		t.Errorf("title %q lacks the period", title)
	}
	page := text(doc)
	for _, s := range []string{"Not listed: 1 advertiser with 1 advertising message.",
		"Top 1 of 2 client IPs refused for their address."} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %q", s)
		}
	}
}

func TestWriteHTMLChart(t *testing.T) {
	r := Build(realistic(10), date(1), date(15), 0)
	_, doc := parsePage(t, r)
	svg := byID(doc, "chart")
	if svg == nil {
		t.Fatal("no chart")
	}
	groups := find(svg, func(n *html.Node) bool { return n.Data == "g" && attr(n, "class") == "day" })
	if len(groups) != 14 {
		t.Fatalf("%d day groups, want 14", len(groups))
	}
	for i, g := range groups {
		rects := find(g, func(n *html.Node) bool { return n.Data == "rect" })
		// Days 1-10 have all five actions, days 11-14 no mail.
		if want := map[bool]int{true: 5, false: 0}[i < 10]; len(rects) != want {
			t.Errorf("day %d: %d rects, want %d", i+1, len(rects), want)
		}
	}
	if got := text(groups[10]); got != "2025-03-11: 0 messages" {
		t.Errorf("empty day's tooltip %q", got)
	}
	labels := text(svg)
	for _, s := range []string{"day (UTC)", "messages per day", "2025-03-01"} {
		if !strings.Contains(labels, s) {
			t.Errorf("chart lacks label %q", s)
		}
	}
}

func TestWriteHTMLEscapesAndIsSelfContained(t *testing.T) {
	raw, doc := parsePage(t, sample())
	if strings.Contains(raw, "<script") {
		t.Error("a key's <script> reached the page unescaped")
	}
	for _, n := range find(doc, func(*html.Node) bool { return true }) {
		if slices.Contains([]string{"script", "link", "img", "iframe", "object"}, n.Data) {
			t.Errorf("element <%s> in a self-contained page", n.Data)
		}
		for _, a := range n.Attr {
			if a.Key == "src" || a.Key == "href" || strings.HasPrefix(a.Key, "on") {
				t.Errorf("<%s %s=%q>: external resource or script", n.Data, a.Key, a.Val)
			}
		}
	}
	if len(find(doc, func(n *html.Node) bool { return n.Data == "style" })) != 1 {
		t.Error("want one inline <style>")
	}
}

func TestWriteHTMLNoMail(t *testing.T) {
	tests := []struct {
		name       string
		r          Report
		wantPeriod string
	}{
		{name: "a week without mail", r: Build(nil, date(1), date(8), 0),
			wantPeriod: "2025-03-01 to 2025-03-07 (7 days, UTC)"},
		{name: "empty period", r: Build(nil, date(8), date(1), 0), wantPeriod: "no whole day between"},
		{name: "zero Report", r: Report{}, wantPeriod: "no whole day between"},
		{name: "inconsistent top list", r: Report{
			Since: date(1), Until: date(2), TopAdvertisers: items("a.example.com", 1), TopBlockedIPs: items("127.0.0.1", 1),
		}, wantPeriod: "no whole day between"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, doc := parsePage(t, tc.r)
			if n := byID(doc, "no-mail"); n == nil || text(n) != "No mail was recorded in this period." {
				t.Error("no no-mail notice")
			}
			if byID(doc, "chart") != nil {
				t.Error("chart drawn without mail")
			}
			if n := byID(doc, "messages"); n == nil || text(n) != "0" {
				t.Error("total is not 0")
			}
			if h1 := text(find(doc, func(n *html.Node) bool { return n.Data == "h1" })[0]); !strings.Contains(h1, tc.wantPeriod) {
				t.Errorf("h1 %q lacks %q", h1, tc.wantPeriod)
			}
		})
	}
}

func TestPeriodOneDay(t *testing.T) {
	r := Build(nil, date(1), date(1).Add(time.Hour), 0)
	if got := period(r); got != "2025-03-01 (1 day, UTC)" {
		t.Errorf("period %q", got)
	}
}

// Mail filtered with the decree off and clients refused at RCPT get their
// own direction rows, named as such.
func TestWriteHTMLDirectionLabels(t *testing.T) {
	r := Build([]archive.Count{
		cnt(date(1), "inbound", archive.DimAction, "accept", 2),
		cnt(date(1), "", archive.DimAction, "tag", 1),
		cnt(date(1), archive.DirectionRCPTStage, archive.DimAction, "reject", 3),
	}, date(1), date(2), 0)
	_, doc := parsePage(t, r)
	want := [][]string{
		{"inbound", "2", "2", "0", "0", "0", "0"},
		{"outbound", "0", "0", "0", "0", "0", "0"},
		{"unspecified (Decree 91 stage off)", "1", "0", "1", "0", "0", "0"},
		{"RCPT stage (before DATA)", "3", "0", "0", "0", "0", "3"},
	}
	if got := bodyCells(t, doc, "directions"); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("directions = %q, want %q", got, want)
	}
}

// The observe-mode verdicts (README "Rolling out") are on the page as in
// the CSV's would rows and the JSON's observed.
func TestWriteHTMLObserved(t *testing.T) {
	r := Build([]archive.Count{
		cnt(date(1), "inbound", archive.DimAction, "accept", 5),
		cnt(date(1), "inbound", archive.DimWould, "reject", 3),
		cnt(date(2), "inbound", archive.DimWould, "quarantine", 1),
	}, date(1), date(4), 10)
	_, doc := parsePage(t, r)
	want := [][]string{{"reject", "3"}, {"quarantine", "1"}}
	if got := bodyCells(t, doc, "observed"); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("table observed = %q, want %q", got, want)
	}
	_, doc = parsePage(t, sample())
	if !strings.Contains(text(doc), "No message was observed") {
		t.Errorf("page without observed mail lacks the note saying so")
	}
}
