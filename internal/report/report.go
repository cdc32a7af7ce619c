// Package report builds the periodic statistics an email service provider
// sends to the authority under Decree 91/2020 Art. 10.7 (counts by verdict,
// rule and article, exportable per period) from the
// archive's daily counts (archive.Count), and writes them as CSV, JSON or a
// self-contained HTML page. Build is pure: the period is passed in.
package report

import "time"

// Report is the statistics of one period [Since, Until). Every count is
// a number of messages, except Advertisers (advertising messages per
// advertiser) and TopBlockedIPs (messages per client IP refused for what
// the client is, archive.Record.BlockedClient). Build never leaves a list
// nil, so JSON shows [] rather than null.
type Report struct {
	// Since and Until bound the period (UTC, Until exclusive); a count is in
	// the period when its day (UTC midnight) is in [Since, Until).
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
	// Top is the length limit of TopAdvertisers and TopBlockedIPs.
	Top    int    `json:"top"`
	Totals Totals `json:"totals"`
	// Days has one entry per UTC day in the period, oldest first, days
	// without mail included with zeros (the chart's x axis).
	Days []Day `json:"days"`
	// Rules, Articles and Advertisers are sorted by count, largest first,
	// then by key.
	Rules    []Item `json:"rules"`
	Articles []Item `json:"articles"`
	// Advertisers are the organizational domains of advertisers (Art. 2.4,
	// Art. 3.1), with the number of advertising messages of each.
	Advertisers []Item `json:"advertisers"`
	// TopAdvertisers is the first Top entries of Advertisers.
	TopAdvertisers []Item `json:"top_advertisers"`
	// TopBlockedIPs is the Top client IPs with the most messages refused
	// (rejected or tempfailed) for what the client is: at RCPT, or while an
	// IP blocklist or a local block list listed its address; sorted as
	// Rules.
	TopBlockedIPs []Item `json:"top_blocked_ips"`
	// BlockedIPs is how many distinct client IPs had a message blocked.
	BlockedIPs int `json:"blocked_ips"`
	// TopThrottled is the Top senders with the most messages an outbound
	// rate limit deferred or refused (Decree 91/2020 Art. 10.4), keyed
	// "scope value" ("sasl_user alice@example.com"); sorted as Rules.
	TopThrottled []Item `json:"top_throttled"`
	// Throttled is how many distinct senders a rate limit held.
	Throttled int `json:"throttled"`
	// Observed is the messages of observe mode (delivered whatever the
	// verdict) by the action that would have been taken, sorted as Rules;
	// empty when nothing was observed.
	Observed []Item `json:"observed"`
	// Requests are the authority's blocking requests (Art. 6.3, 9.4)
	// whose list entries messages matched, "list: REF of YYYY-MM-DD",
	// with the number of messages; sorted as Rules.
	Requests []Item `json:"authority_requests"`
	// UserReports are the users' spam reports taken in during the period
	// (Art. 10.2, 12.1); the caller fills them (Build leaves them zero).
	UserReports UserReports `json:"user_reports"`
}

// UserReports counts the spam reports of a period (internal/spamreport).
type UserReports struct {
	Total int64 `json:"total"`
	// ByType is per Feedback-Type (RFC 5965 §7.3), by count.
	ByType []Item `json:"by_type"`
	// Ads are reports about advertising email; Refusals those that
	// recorded a refusal of the advertiser (Art. 12.1, 13.4); Unmapped
	// those whose reporting recipient is unknown (a redacted feedback
	// loop without a Feedback-ID on record).
	Ads      int64 `json:"ads"`
	Refusals int64 `json:"refusals"`
	Unmapped int64 `json:"unmapped"`
}

// Totals are the message counts of the whole period. Messages equals the sum
// of ByAction, of ByDirection's Messages and of Days' Total: all are taken
// from the "action" dimension, where every message counts once.
type Totals struct {
	Messages int64 `json:"messages"`
	// ByAction has the five actions in severity order (accept, tag,
	// quarantine, tempfail, reject; zeros included), then any other action
	// found in the counts, by name.
	ByAction []Item `json:"by_action"`
	// ByDirection has "inbound" and "outbound" (zeros included), then any
	// other direction found, by name: "" is a message filtered with the
	// Decree 91 stage off, archive.DirectionRCPTStage ("rcpt") a client
	// refused at RCPT, before the decree could run.
	ByDirection []DirectionTotal `json:"by_direction"`
}

// DirectionTotal is the messages of one direction, split by action in the
// order of Totals.ByAction.
type DirectionTotal struct {
	Direction string `json:"direction"`
	Messages  int64  `json:"messages"`
	ByAction  []Item `json:"by_action"`
}

// Day is the messages of one UTC day, split by action in the order of
// Totals.ByAction (zeros included).
type Day struct {
	// Day is the day's UTC midnight.
	Day      time.Time `json:"day"`
	Total    int64     `json:"total"`
	ByAction []Item    `json:"by_action"`
}

// Item is one key with its count: an action, a rule id, an article
// ("Art. 18"), an advertiser domain or a client IP.
type Item struct {
	Key string `json:"key"`
	// Name is the article's name in the decree's terms ("Art. 18 label");
	// set for Articles only.
	Name string `json:"name,omitempty"`
	N    int64  `json:"n"`
}
