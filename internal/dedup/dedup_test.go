package dedup

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"milter91/internal/counter"
	"milter91/internal/counterstore"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// stores are Mem and a SQLite file on clock c (the counter package's
// contract suite holds every backend to the same behaviour).
func stores(t *testing.T, c *clock) map[string]counter.Store {
	sq, err := counterstore.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"), counterstore.Options{Name: "once", Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sq.Close() })
	return map[string]counter.Store{"mem": counter.NewMem(c.Now), "sqlite": sq}
}

func counted(t *testing.T, o *Once, m Message) []bool {
	t.Helper()
	got, err := o.Counted(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func mark(t *testing.T, o *Once, m Message, rcpts ...string) {
	t.Helper()
	if err := o.Mark(context.Background(), m, rcpts); err != nil {
		t.Fatal(err)
	}
}

func TestOnce(t *testing.T) {
	c := &clock{t: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	for name, st := range stores(t, c) {
		t.Run(name, func(t *testing.T) {
			o := New(st, time.Hour)
			first := Message{QueueID: "4Q1" + name, MessageID: " <a1@example.com>", Sender: "u@example.com", Rcpts: []string{"x@example.net", "y@example.net"}}
			if got := counted(t, o, first); !slices.Equal(got, []bool{false, false}) {
				t.Fatalf("before Mark: %v", got)
			}
			mark(t, o, first, first.Rcpts...)
			// The client dropped after the final dot and resends: a new
			// queue ID, the same Message-ID, a recipient added, one in
			// other case.
			resend := Message{QueueID: "4Q2" + name, MessageID: "<a1@example.com>", Sender: "U@example.com", Rcpts: []string{"X@example.net", "z@example.net"}}
			if got := counted(t, o, resend); !slices.Equal(got, []bool{true, false}) {
				t.Errorf("resend: %v, want [true false]", got)
			}
			other := resend
			other.Sender = "v@example.com"
			if got := counted(t, o, other); !slices.Equal(got, []bool{false, false}) {
				t.Errorf("another sender with that Message-ID: %v, want none counted", got)
			}
			noID := Message{QueueID: first.QueueID, Rcpts: []string{"y@example.net"}}
			if got := counted(t, o, noID); !slices.Equal(got, []bool{true}) {
				t.Errorf("the same queue ID without Message-ID: %v, want counted", got)
			}
			if got := counted(t, o, Message{Rcpts: []string{"x@example.net"}}); !slices.Equal(got, []bool{false}) {
				t.Errorf("neither queue ID nor Message-ID: %v, want not counted", got)
			}
			c.Advance(time.Hour + time.Second)
			if got := counted(t, o, resend); !slices.Equal(got, []bool{false, false}) {
				t.Errorf("past the window: %v, want none counted", got)
			}
		})
	}
}

type broken struct{ counter.Store }

func (broken) Get(context.Context, []string) ([]int64, error) { return nil, context.DeadlineExceeded }
func (broken) Add(context.Context, []counter.Inc) ([]int64, error) {
	return nil, context.DeadlineExceeded
}

func TestStoreErrors(t *testing.T) {
	o := New(broken{}, 0)
	m := Message{QueueID: "4Q1", Rcpts: []string{"x@example.net"}}
	if _, err := o.Counted(context.Background(), m); err == nil {
		t.Error("Counted on a failing store: no error")
	}
	if err := o.Mark(context.Background(), m, m.Rcpts); err == nil {
		t.Error("Mark on a failing store: no error")
	}
}
