package rules

import (
	"fmt"
	"testing"
	"time"

	"milter91/internal/txn"
)

func limited() txn.RateLimit {
	return txn.RateLimit{Limited: "user_hour", Scope: "sasl_user", Key: "alice@example.com", Unit: "messages",
		Count: 50, Max: 50, Window: time.Hour, RetryAfter: 72 * time.Second}
}

func TestRateLimitFacts(t *testing.T) {
	tx := &txn.Transaction{AuthUser: "alice@example.com"}
	tests := []struct {
		cond string
		rl   txn.RateLimit
		want bool
	}{
		{"{rate_limited: true}", limited(), true},
		{"{rate_limited: true}", txn.RateLimit{}, false},
		{"{rate_limited: false}", txn.RateLimit{}, true},
		{"{rate_limit: user_hour}", limited(), true},
		{"{rate_limit: [ip_hour, USER_HOUR]}", limited(), true},
		{"{rate_limit: ip_hour}", limited(), false},
		{`{rate_limit: "*"}`, limited(), true},
		{`{rate_limit: "*"}`, txn.RateLimit{}, false},
		{"{rate_limit_unavailable: true}", txn.RateLimit{Unavailable: true}, true},
		{"{rate_limit_unavailable: true}", limited(), false},
	}
	for _, tc := range tests {
		got, detail := evalCond(t, tc.cond, tx, &txn.Facts{RateLimit: tc.rl})
		if got != tc.want {
			t.Errorf("%s on %+v: %v (%s), want %v", tc.cond, tc.rl, got, detail, tc.want)
		}
	}
	_, detail := evalCond(t, "{rate_limit: user_hour}", tx, &txn.Facts{RateLimit: limited()})
	if want := "rate_limit=user_hour sasl_user=alice@example.com 50/50 per 1h"; detail != want {
		t.Errorf("detail %q, want %q", detail, want)
	}
}

// The shipped rule defers a message over a limit with a 451 4.7.1 that
// names the limit; the checks only report it.
func TestRateLimitShippedRule(t *testing.T) {
	set := mustCompile(t, Defaults()...)
	tx := &txn.Transaction{AuthUser: "alice@example.com", MailFrom: "alice@example.com"}
	v := set.Evaluate(tx, &txn.Facts{RateLimit: limited()})
	want := "451 4.7.1 Rate limit user_hour reached (50 messages per 1h); retry after: 1m12s"
	if v.Action != txn.ActionTempfail || v.Reply.String() != want || fmt.Sprint(v.RuleIDs()) != "[RATE_LIMITED]" {
		t.Errorf("over the limit: %v %q %q, want tempfail %q by RATE_LIMITED", v.Action, v.Reply.String(), v.RuleIDs(), want)
	}
	never := limited()
	never.Never, never.RetryAfter = true, 0
	v = set.Evaluate(tx, &txn.Facts{RateLimit: never})
	if want := "451 4.7.1 Rate limit user_hour reached (50 messages per 1h); retry after: never, the message alone is over the limit"; v.Reply.String() != want {
		t.Errorf("a message alone over the limit: %q, want %q", v.Reply.String(), want)
	}
	for _, rl := range []txn.RateLimit{{}, {Unavailable: true}, {Duplicate: true}} {
		if v := set.Evaluate(tx, &txn.Facts{RateLimit: rl}); v.Action != txn.ActionAccept {
			t.Errorf("%+v: %v by %s, want accept", rl, v.Action, v.RuleIDs())
		}
	}
}
