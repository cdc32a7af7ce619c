package archive

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestCounts(t *testing.T) {
	day1 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	day2 := day1.Add(24 * time.Hour)
	batch1 := []Record{
		{Time: t0, Direction: "inbound", ClientIP: "127.0.0.9", Action: "reject", BlockedClient: true,
			Rules: []string{"r1", "r2", "r1"}, Articles: []string{"Art. 18"}, Advertiser: "example.com"},
		{Time: t0.Add(time.Hour), Direction: "outbound", ClientIP: "127.0.0.5", Action: "accept", Rules: []string{"r1"}},
		// Our own submission client, refused for what it sent: not a
		// blocked client IP.
		{Time: t0.Add(time.Hour), Direction: "outbound", ClientIP: "127.0.0.1", Action: "reject", Rules: []string{"r3"}},
		// A submission a rate limit deferred: counted by the sender held.
		{Time: t0.Add(time.Hour), Direction: "outbound", ClientIP: "127.0.0.1", Action: "tempfail", Throttled: "sasl_user alice@example.com"},
		// A client refused at RCPT counts in the RCPT-stage direction.
		{Time: t0.Add(2 * time.Hour), Stage: StageRCPT, BlockedClient: true, ClientIP: "127.0.0.66", Action: "reject"},
		// The last millisecond of day 1, then day 2 (a tempfail from the
		// same IP written IPv4-mapped).
		{Time: day2.Add(-time.Millisecond), Direction: "inbound", ClientIP: "127.0.0.7", Action: "tempfail", BlockedClient: true},
		{Time: day2, Direction: "inbound", ClientIP: "::ffff:127.0.0.9", Action: "tempfail", Rules: []string{""}, BlockedClient: true},
	}
	batch2 := []Record{
		{Time: t0, Direction: "inbound", ClientIP: "127.0.0.9", Action: "reject", Rules: []string{"r2"}, BlockedClient: true},
		{Time: t0, Direction: "inbound", ClientIP: "127.0.0.9", Action: "reject", Rules: []string{"r2"}, BlockedClient: true},
	}
	c := func(day time.Time, dir, dim, key string, n int64) Count {
		return Count{Day: day, Direction: dir, Dimension: dim, Key: key, N: n}
	}
	afterBatch1 := []Count{
		c(day1, "inbound", DimAction, "reject", 1),
		c(day1, "inbound", DimAction, "tempfail", 1),
		c(day1, "inbound", DimRule, "r1", 1),
		c(day1, "inbound", DimRule, "r2", 1),
		c(day1, "inbound", DimArticle, "Art. 18", 1),
		c(day1, "inbound", DimAdvertiser, "example.com", 1),
		c(day1, "inbound", DimBlockedIP, "127.0.0.7", 1),
		c(day1, "inbound", DimBlockedIP, "127.0.0.9", 1),
		c(day1, "outbound", DimAction, "accept", 1),
		c(day1, "outbound", DimAction, "reject", 1),
		c(day1, "outbound", DimAction, "tempfail", 1),
		c(day1, "outbound", DimRule, "r1", 1),
		c(day1, "outbound", DimRule, "r3", 1),
		c(day1, "outbound", DimThrottled, "sasl_user alice@example.com", 1),
		c(day1, DirectionRCPTStage, DimAction, "reject", 1),
		c(day1, DirectionRCPTStage, DimBlockedIP, "127.0.0.66", 1),
		c(day2, "inbound", DimAction, "tempfail", 1),
		c(day2, "inbound", DimBlockedIP, "127.0.0.9", 1),
	}
	// n descending comes before key: r2 (3) now sorts before r1 (1).
	afterBatch2 := []Count{
		c(day1, "inbound", DimAction, "reject", 3),
		c(day1, "inbound", DimAction, "tempfail", 1),
		c(day1, "inbound", DimRule, "r2", 3),
		c(day1, "inbound", DimRule, "r1", 1),
		c(day1, "inbound", DimArticle, "Art. 18", 1),
		c(day1, "inbound", DimAdvertiser, "example.com", 1),
		c(day1, "inbound", DimBlockedIP, "127.0.0.9", 3),
		c(day1, "inbound", DimBlockedIP, "127.0.0.7", 1),
		c(day1, "outbound", DimAction, "accept", 1),
		c(day1, "outbound", DimAction, "reject", 1),
		c(day1, "outbound", DimAction, "tempfail", 1),
		c(day1, "outbound", DimRule, "r1", 1),
		c(day1, "outbound", DimRule, "r3", 1),
		c(day1, "outbound", DimThrottled, "sasl_user alice@example.com", 1),
		c(day1, DirectionRCPTStage, DimAction, "reject", 1),
		c(day1, DirectionRCPTStage, DimBlockedIP, "127.0.0.66", 1),
	}
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		mustInsert(t, s, batch1...)
		got, err := s.Counts(ctx, day1, day2.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, afterBatch1) {
			t.Errorf("after batch 1:\n got %v\nwant %v", got, afterBatch1)
		}
		mustInsert(t, s, batch2...)
		// until = day 2 excludes day 2; since inside day 1 would exclude it.
		got, err = s.Counts(ctx, day1, day2)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, afterBatch2) {
			t.Errorf("after batch 2:\n got %v\nwant %v", got, afterBatch2)
		}
		if got, err := s.Counts(ctx, day1.Add(time.Minute), day2.Add(time.Minute)); err != nil || len(got) != 2 {
			t.Errorf("counts of [day1+1m, day2+1m): %v, %v; want day 2's two lines", got, err)
		}
	})
}

func TestCountsErrors(t *testing.T) {
	s := stores(t)["sqlite"]
	for _, c := range []struct {
		name         string
		since, until time.Time
	}{
		{name: "zero since", until: t0},
		{name: "zero until", since: t0},
		{name: "inverted", since: t0, until: t0.Add(-time.Hour)},
		{name: "empty", since: t0, until: t0},
	} {
		if _, err := s.Counts(context.Background(), c.since, c.until); err == nil || !strings.Contains(err.Error(), "since < until") {
			t.Errorf("%s: error %v", c.name, err)
		}
	}
}
