package dedup_test

import (
	"context"
	"fmt"
	"time"

	"milter91/internal/counter"
	"milter91/internal/dedup"
)

// A client drops after the final dot and sends the message again: Postfix
// gives it a new queue ID, the Message-ID stays, and it counts once.
func Example() {
	store := counter.NewMem(time.Now) // counterstore.Open for SQLite, PostgreSQL or Redis
	once := dedup.New(store, 24*time.Hour)
	ctx := context.Background()
	first := dedup.Message{QueueID: "4XYZ1", MessageID: "<p1@example.com>", Sender: "user@example.com", Rcpts: []string{"a@example.net"}}
	seen, _ := once.Counted(ctx, first)
	fmt.Println("first:", seen)
	_ = once.Mark(ctx, first, first.Rcpts) // accepted: counted

	resent := first
	resent.QueueID = "4XYZ2"
	seen, _ = once.Counted(ctx, resent)
	fmt.Println("resent:", seen)
	// Output:
	// first: [false]
	// resent: [true]
}
