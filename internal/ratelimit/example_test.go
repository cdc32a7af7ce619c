package ratelimit_test

import (
	"context"
	"fmt"
	"time"

	"milter91/internal/counter"
	"milter91/internal/ratelimit"
)

// Two messages an hour per authenticated user: the third is deferred with
// the limit's name and when to come back.
func Example() {
	now := func() time.Time { return time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) }
	store := counter.NewMem(now) // counterstore.Open for SQLite, PostgreSQL or Redis
	limits := []ratelimit.Limit{{Name: "user_hour", Scope: ratelimit.SASLUser, Unit: ratelimit.Messages, Count: 2, Window: time.Hour}}
	l, err := ratelimit.New(store, limits, now)
	if err != nil {
		panic(err)
	}
	m := ratelimit.Message{SASLUser: "customer@example.com", ClientIP: "192.0.2.7", SenderDomain: "example.com", Recipients: 1}
	for range 3 {
		d, err := l.Take(context.Background(), m)
		switch {
		case err != nil:
			fmt.Println("store error: apply the fail mode")
		case d.Allowed:
			fmt.Println("250")
		default:
			h := d.Hit
			fmt.Printf("451 4.7.1 %s: %d of %d messages per %v sent, try again in %v\n", h.Limit.Name, h.Count, h.Max, h.Window, h.RetryAfter)
		}
	}
	// Output:
	// 250
	// 250
	// 451 4.7.1 user_hour: 2 of 2 messages per 1h0m0s sent, try again in 1h30m0s
}
