package report

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"milter91/internal/archive"
)

// date is UTC midnight of 2025-03-d (d may run past the month's end).
func date(d int) time.Time { return time.Date(2025, 3, d, 0, 0, 0, 0, time.UTC) }

func cnt(day time.Time, dir, dim, key string, n int64) archive.Count {
	return archive.Count{Day: day, Direction: dir, Dimension: dim, Key: key, N: n}
}

// realistic makes daily counts like a mid-sized provider's over days days
// from date(1): per day and direction every action, 40 rules, 8 articles,
// 300 advertisers and 400 blocked client IPs, with a fixed seed.
func realistic(days int) []archive.Count {
	rng := rand.New(rand.NewPCG(91, 2020))
	actions := []string{"accept", "tag", "quarantine", "tempfail", "reject"}
	articles := []string{"Art. 18", "Art. 19", "Art. 20.1", "Art. 20.2", "Art. 11.2", "Art. 13.4", "Art. 13.5", "Art. 8"}
	var out []archive.Count
	for d := range days {
		day := date(1 + d)
		for _, dir := range []string{"inbound", "outbound"} {
			for i, a := range actions {
				out = append(out, cnt(day, dir, archive.DimAction, a, 1+rng.Int64N(int64(20000>>i))))
			}
			for i := range 40 {
				out = append(out, cnt(day, dir, archive.DimRule, fmt.Sprintf("RULE_%02d", i), 1+rng.Int64N(500)))
			}
			for _, a := range articles {
				out = append(out, cnt(day, dir, archive.DimArticle, a, 1+rng.Int64N(300)))
			}
			for range 300 {
				out = append(out, cnt(day, dir, archive.DimAdvertiser, fmt.Sprintf("shop%d.example.com", rng.IntN(2000)), 1+rng.Int64N(50)))
			}
			for range 400 {
				ip := fmt.Sprintf("127.%d.%d.%d", rng.IntN(4), rng.IntN(256), 1+rng.IntN(254))
				out = append(out, cnt(day, dir, archive.DimBlockedIP, ip, 1+rng.Int64N(20)))
			}
		}
	}
	return out
}

// hostile is a rule id with markup, as a rule or advertiser name taken from
// mail could be.
const hostile = `<script>alert("x")</script>`

// sample is a small report over 2025-03-01..03 (03-02 without mail) whose
// figures the writer tests check by hand.
func sample() Report {
	return Build([]archive.Count{
		cnt(date(1), "inbound", archive.DimAction, "accept", 7),
		cnt(date(1), "inbound", archive.DimAction, "reject", 2),
		cnt(date(3), "outbound", archive.DimAction, "tag", 1),
		cnt(date(1), "inbound", archive.DimRule, "DNSBL_ZEN", 2),
		cnt(date(3), "outbound", archive.DimRule, hostile, 1),
		cnt(date(3), "outbound", archive.DimArticle, "Art. 18", 1),
		cnt(date(3), "outbound", archive.DimAdvertiser, "=cmd|' /C calc'!A0", 1),
		cnt(date(3), "outbound", archive.DimAdvertiser, "shop.example.com", 3),
		cnt(date(1), "inbound", archive.DimBlockedIP, "127.0.0.2", 2),
		cnt(date(1), "inbound", archive.DimBlockedIP, "127.0.0.3", 1),
	}, date(1), date(4), 1)
}

// failWriter fails every write, as a closed pipe does.
type failWriter struct{}

var errWrite = errors.New("write failed")

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }
