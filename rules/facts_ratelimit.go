package rules

import (
	"strconv"
	"strings"
	"time"

	"milter91/internal/txn"
)

// Outbound rate limit facts (rows of factTable): rate_limited (any
// limit), rate_limit (by name) and rate_limit_unavailable; their values
// come from internal/ratelimit (Decree 91/2020 Art. 10.4: own servers
// must not send spam).

// compileRateLimit reads limit names (one or a list, or "*" for any):
// true when the message exceeded one of them. Detail:
// "rate_limit=user_hour sasl_user=u@example.com 50/50 per 1h".
func compileRateLimit(v Value) (Matcher, error) {
	names := map[string]bool{}
	err := eachText(v, func(at Value, s string) error {
		if s == "" {
			return at.Errorf("rate_limit: empty limit name")
		}
		names[strings.ToLower(s)] = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	return func(in *Input) (Hit, bool) {
		r := &in.Facts.RateLimit
		if r.Limited == "" || (!names["*"] && !names[r.Limited]) {
			return Hit{}, false
		}
		return Hit{Detail: "rate_limit=" + r.Limited + " " + r.Scope + "=" + r.Key + " " +
			strconv.FormatInt(r.Count, 10) + "/" + strconv.FormatInt(r.Max, 10) + " per " + shortDuration(r.Window)}, true
	}, nil
}

// rateLimitValue fills the rate limit reply placeholders: {limit} (its
// name), {limit_max} ("50 messages"), {limit_window} ("1h"),
// {retry_after} ("12m30s", or "never" for a message alone over the max).
func rateLimitValue(r *txn.RateLimit, name string) string {
	switch name {
	case "limit":
		return r.Limited
	case "limit_max":
		if r.Limited == "" {
			return ""
		}
		return strconv.FormatInt(r.Max, 10) + " " + r.Unit
	case "limit_window":
		return shortDuration(r.Window)
	case "retry_after":
		if r.Never {
			return "never, the message alone is over the limit"
		}
		return shortDuration(r.RetryAfter.Round(time.Second))
	}
	return ""
}

// shortDuration writes d without zero units: 1h, 1h30m, 45s, 1.5s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
