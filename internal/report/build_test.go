package report

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"milter91/internal/archive"
)

func items(kv ...any) []Item {
	var out []Item
	for i := 0; i < len(kv); i += 2 {
		out = append(out, Item{Key: kv[i].(string), N: int64(kv[i+1].(int))})
	}
	return out
}

// actions6 lists the five actions and "discard" with the given counts.
func actions6(accept, tag, quarantine, tempfail, reject, discard int) []Item {
	return items("accept", accept, "tag", tag, "quarantine", quarantine,
		"tempfail", tempfail, "reject", reject, "discard", discard)
}

func TestBuildTotalsAndDays(t *testing.T) {
	counts := []archive.Count{
		cnt(date(1), "inbound", archive.DimAction, "accept", 10),
		cnt(date(1), "inbound", archive.DimAction, "reject", 2),
		cnt(date(1), "outbound", archive.DimAction, "tag", 3),
		cnt(date(3), "inbound", archive.DimAction, "accept", 5),
		cnt(date(3), "", archive.DimAction, "quarantine", 1),
		cnt(date(4), "inbound", archive.DimAction, "discard", 1),
		// Ignored: before since, on until, N <= 0, unknown dimension.
		cnt(date(0), "inbound", archive.DimAction, "accept", 100),
		cnt(date(5), "inbound", archive.DimAction, "accept", 100),
		cnt(date(3), "inbound", archive.DimAction, "accept", 0),
		cnt(date(3), "inbound", archive.DimAction, "accept", -4),
		cnt(date(1), "inbound", "bogus", "accept", 50),
		// Other dimensions do not change the message totals.
		cnt(date(1), "inbound", archive.DimRule, "R1", 7),
	}
	r := Build(counts, date(1), date(5), 0)

	want := Totals{
		Messages: 22,
		ByAction: actions6(15, 3, 1, 0, 2, 1),
		ByDirection: []DirectionTotal{
			{Direction: "inbound", Messages: 18, ByAction: actions6(15, 0, 0, 0, 2, 1)},
			{Direction: "outbound", Messages: 3, ByAction: actions6(0, 3, 0, 0, 0, 0)},
			{Direction: "", Messages: 1, ByAction: actions6(0, 0, 1, 0, 0, 0)},
		},
	}
	if !reflect.DeepEqual(r.Totals, want) {
		t.Errorf("Totals =\n%+v\nwant\n%+v", r.Totals, want)
	}
	wantDays := []Day{
		{Day: date(1), Total: 15, ByAction: actions6(10, 3, 0, 0, 2, 0)},
		{Day: date(2), Total: 0, ByAction: actions6(0, 0, 0, 0, 0, 0)},
		{Day: date(3), Total: 6, ByAction: actions6(5, 0, 1, 0, 0, 0)},
		{Day: date(4), Total: 1, ByAction: actions6(0, 0, 0, 0, 0, 1)},
	}
	if !reflect.DeepEqual(r.Days, wantDays) {
		t.Errorf("Days =\n%+v\nwant\n%+v", r.Days, wantDays)
	}
	if !r.Since.Equal(date(1)) || !r.Until.Equal(date(5)) || r.Top != DefaultTop {
		t.Errorf("Since, Until, Top = %v, %v, %d", r.Since, r.Until, r.Top)
	}
}

// listCounts has ties and more blocked IPs than DefaultTop, all on 03-02.
func listCounts() []archive.Count {
	var counts []archive.Count
	add := func(dir, dim, key string, n int64) {
		counts = append(counts, cnt(date(2), dir, dim, key, n))
	}
	add("inbound", archive.DimRule, "R_B", 3)
	add("outbound", archive.DimRule, "R_B", 2)
	add("inbound", archive.DimRule, "R_A", 5)
	add("inbound", archive.DimRule, "R_C", 7)
	add("inbound", archive.DimArticle, "Art. 20.2", 4)
	add("inbound", archive.DimArticle, "Art. 13.5", 1)
	add("outbound", archive.DimArticle, "Art. 18", 4)
	add("inbound", archive.DimAdvertiser, "b.example.com", 2)
	add("inbound", archive.DimAdvertiser, "a.example.com", 2)
	add("outbound", archive.DimAdvertiser, "c.example.org", 9)
	// 12 IPs: 127.0.0.k has k blocked messages.
	for k := 1; k <= 12; k++ {
		add("inbound", archive.DimBlockedIP, "127.0.0."+strconv.Itoa(k), int64(k))
	}
	return counts
}

func TestBuildLists(t *testing.T) {
	counts := listCounts()
	ip := func(k int) Item { return Item{Key: "127.0.0." + strconv.Itoa(k), N: int64(k)} }

	tests := []struct {
		name    string
		top     int
		wantAds []Item
		wantIPs []Item
	}{
		{name: "default top 10", top: 0,
			wantAds: items("c.example.org", 9, "a.example.com", 2, "b.example.com", 2),
			wantIPs: []Item{ip(12), ip(11), ip(10), ip(9), ip(8), ip(7), ip(6), ip(5), ip(4), ip(3)}},
		{name: "negative is default", top: -1,
			wantAds: items("c.example.org", 9, "a.example.com", 2, "b.example.com", 2),
			wantIPs: []Item{ip(12), ip(11), ip(10), ip(9), ip(8), ip(7), ip(6), ip(5), ip(4), ip(3)}},
		{name: "cut at 2, tie broken by key", top: 2,
			wantAds: items("c.example.org", 9, "a.example.com", 2),
			wantIPs: []Item{ip(12), ip(11)}},
		{name: "top above length", top: 50,
			wantAds: items("c.example.org", 9, "a.example.com", 2, "b.example.com", 2),
			wantIPs: []Item{ip(12), ip(11), ip(10), ip(9), ip(8), ip(7), ip(6), ip(5), ip(4), ip(3), ip(2), ip(1)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Build(counts, date(1), date(8), tc.top)
			if w := items("R_C", 7, "R_A", 5, "R_B", 5); !reflect.DeepEqual(r.Rules, w) {
				t.Errorf("Rules = %v, want %v", r.Rules, w)
			}
			wantArt := []Item{
				{Key: "Art. 18", Name: "Art. 18 label", N: 4},
				{Key: "Art. 20.2", Name: "Art. 20.2 opt-out channels", N: 4},
				{Key: "Art. 13.5", Name: "Art. 13.5 frequency", N: 1},
			}
			if !reflect.DeepEqual(r.Articles, wantArt) {
				t.Errorf("Articles = %v, want %v", r.Articles, wantArt)
			}
			if w := items("c.example.org", 9, "a.example.com", 2, "b.example.com", 2); !reflect.DeepEqual(r.Advertisers, w) {
				t.Errorf("Advertisers = %v, want %v", r.Advertisers, w)
			}
			if !reflect.DeepEqual(r.TopAdvertisers, tc.wantAds) {
				t.Errorf("TopAdvertisers = %v, want %v", r.TopAdvertisers, tc.wantAds)
			}
			if !reflect.DeepEqual(r.TopBlockedIPs, tc.wantIPs) {
				t.Errorf("TopBlockedIPs = %v, want %v", r.TopBlockedIPs, tc.wantIPs)
			}
			if r.BlockedIPs != 12 {
				t.Errorf("BlockedIPs = %d, want 12", r.BlockedIPs)
			}
		})
	}
}

func TestBuildPeriod(t *testing.T) {
	ict := time.FixedZone("ICT", 7*3600)
	counts := []archive.Count{
		cnt(date(1), "inbound", archive.DimAction, "accept", 1),
		// 2025-03-02 05:00 ICT is 03-01 22:00 UTC: day 1.
		cnt(time.Date(2025, 3, 2, 5, 0, 0, 0, ict), "inbound", archive.DimAction, "accept", 10),
		cnt(date(3).Add(23*time.Hour), "inbound", archive.DimAction, "accept", 100),
	}
	tests := []struct {
		name         string
		since, until time.Time
		wantSince    time.Time
		wantFirst    time.Time
		wantDays     int
		wantMessages int64
	}{
		{name: "whole days", since: date(1), until: date(4),
			wantSince: date(1), wantFirst: date(1), wantDays: 3, wantMessages: 111},
		{name: "since mid-day starts next midnight", since: date(1).Add(10 * time.Hour), until: date(4),
			wantSince: date(1).Add(10 * time.Hour), wantFirst: date(2), wantDays: 2, wantMessages: 100},
		{name: "until mid-day keeps that day", since: date(1), until: date(3).Add(time.Hour),
			wantSince: date(1), wantFirst: date(1), wantDays: 3, wantMessages: 111},
		{name: "bounds in another zone", since: time.Date(2025, 3, 2, 7, 0, 0, 0, ict), until: date(3),
			wantSince: date(2), wantFirst: date(2), wantDays: 1, wantMessages: 0},
		{name: "empty period", since: date(2), until: date(2),
			wantSince: date(2), wantDays: 0, wantMessages: 0},
		{name: "until before since", since: date(4), until: date(1),
			wantSince: date(4), wantDays: 0, wantMessages: 0},
		{name: "zero since is cut to MaxDays", since: time.Time{}, until: date(4),
			wantSince: date(4).AddDate(0, 0, -MaxDays), wantFirst: date(4).AddDate(0, 0, -MaxDays),
			wantDays: MaxDays, wantMessages: 111},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Build(counts, tc.since, tc.until, 3)
			if !r.Since.Equal(tc.wantSince) || r.Since.Location() != time.UTC {
				t.Errorf("Since = %v, want %v UTC", r.Since, tc.wantSince)
			}
			if len(r.Days) != tc.wantDays {
				t.Fatalf("%d days, want %d", len(r.Days), tc.wantDays)
			}
			if tc.wantDays > 0 && !r.Days[0].Day.Equal(tc.wantFirst) {
				t.Errorf("first day %v, want %v", r.Days[0].Day, tc.wantFirst)
			}
			if r.Totals.Messages != tc.wantMessages {
				t.Errorf("Messages = %d, want %d", r.Totals.Messages, tc.wantMessages)
			}
			if r.Rules == nil || r.Articles == nil || r.Advertisers == nil || r.TopAdvertisers == nil ||
				r.TopBlockedIPs == nil || r.Days == nil {
				t.Errorf("nil list in %+v", r)
			}
		})
	}
}

// TestBuildConsistent checks the invariant Totals documents on realistic
// counts against a plain sum of the action counts.
func TestBuildConsistent(t *testing.T) {
	counts := realistic(30)
	since, until := date(5), date(25)
	var want int64
	for _, c := range counts {
		if c.Dimension == archive.DimAction && !c.Day.Before(since) && c.Day.Before(until) {
			want += c.N
		}
	}
	r := Build(counts, since, until, 0)
	var byAction, byDir, byDay int64
	for _, a := range r.Totals.ByAction {
		byAction += a.N
	}
	for _, d := range r.Totals.ByDirection {
		byDir += d.Messages
	}
	for _, d := range r.Days {
		byDay += d.Total
	}
	if want == 0 || r.Totals.Messages != want || byAction != want || byDir != want || byDay != want {
		t.Errorf("messages %d, by action %d, by direction %d, by day %d; want %d",
			r.Totals.Messages, byAction, byDir, byDay, want)
	}
	if len(r.Days) != 20 || len(r.TopBlockedIPs) != DefaultTop || len(r.TopAdvertisers) != DefaultTop {
		t.Errorf("%d days, %d top IPs, %d top advertisers", len(r.Days), len(r.TopBlockedIPs), len(r.TopAdvertisers))
	}
}

func TestArticleName(t *testing.T) {
	tests := []struct{ key, want string }{
		{key: "Art. 18", want: "Art. 18 label"},
		{key: "Art. 20", want: "Art. 20 refusal"},
		{key: "Art. 20.1", want: "Art. 20.1 opt-out"},
		{key: "Art. 13.4", want: "Art. 13.4 refusal"},
		{key: "Art. 11.2", want: "Art. 11.2 consent"},
		{key: "Art. 19", want: "Art. 19 advertiser information"},
		{key: "Art. 20.9", want: "Art. 20.9 refusal"},
		{key: "Art. 3.4.c", want: "Art. 3.4.c spam email"},
		{key: "IT Law Art. 70.1", want: "IT Law Art. 70.1 sender identity"},
		{key: "Art. 99", want: "Art. 99"},
		{key: "Art. 99.1", want: "Art. 99.1"},
		{key: "", want: ""},
		{key: "...", want: "..."},
	}
	for _, tc := range tests {
		if got := articleName(tc.key); got != tc.want {
			t.Errorf("articleName(%q) = %q, want %q", tc.key, got, tc.want)
		}
	}
}

// The senders a rate limit held are listed, most first, cut at top.
func TestBuildThrottled(t *testing.T) {
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var counts []archive.Count
	for i, user := range []string{"sasl_user a@example.com", "sasl_user b@example.com", "client_ip 127.0.0.5"} {
		counts = append(counts, archive.Count{Day: day, Direction: "outbound", Dimension: archive.DimThrottled, Key: user, N: int64(10 * (i + 1))})
	}
	r := Build(counts, day, day.Add(24*time.Hour), 2)
	want := items("client_ip 127.0.0.5", 30, "sasl_user b@example.com", 20)
	if !slices.Equal(r.TopThrottled, want) || r.Throttled != 3 {
		t.Errorf("TopThrottled %v of %d, want %v of 3", r.TopThrottled, r.Throttled, want)
	}
	var html strings.Builder
	if err := WriteHTML(&html, r); err != nil || !strings.Contains(html.String(), "client_ip 127.0.0.5") || !strings.Contains(html.String(), "Top 2 of 3 senders held by a rate limit.") {
		t.Errorf("HTML lacks the throttled senders (%v)", err)
	}
}

// The messages of observe mode are listed by the action not taken, apart
// from the totals, which count them by the action sent.
func TestBuildObserved(t *testing.T) {
	r := Build([]archive.Count{
		cnt(date(1), "inbound", archive.DimAction, "accept", 5),
		cnt(date(1), "inbound", archive.DimWould, "reject", 3),
		cnt(date(2), "inbound", archive.DimWould, "reject", 1),
		cnt(date(2), "inbound", archive.DimWould, "tag", 1),
	}, date(1), date(3), 0)
	want := []Item{{Key: "reject", N: 4}, {Key: "tag", N: 1}}
	if !reflect.DeepEqual(r.Observed, want) {
		t.Errorf("Observed %+v, want %+v", r.Observed, want)
	}
	if r.Totals.Messages != 5 {
		t.Errorf("messages %d, want 5 (observations are not messages)", r.Totals.Messages)
	}
}
