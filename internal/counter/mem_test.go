package counter

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestMemAddGetExpire(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	s := NewMem(func() time.Time { return now })
	ctx := context.Background()
	got, err := s.Add(ctx, []Inc{{Key: "a", Delta: 2, TTL: time.Minute}, {Key: "b", Delta: -1, TTL: time.Hour}, {Key: "a", Delta: 3, TTL: time.Second}})
	if err != nil || !slices.Equal(got, []int64{2, -1, 5}) {
		t.Fatalf("Add = %v, %v; want [2 -1 5]", got, err)
	}
	now = now.Add(59 * time.Second) // the second Add's 1 s TTL did not shorten a's minute
	if got, _ := s.Get(ctx, []string{"a", "b", "missing"}); !slices.Equal(got, []int64{5, -1, 0}) {
		t.Fatalf("Get before expiry = %v, want [5 -1 0]", got)
	}
	now = now.Add(time.Second)
	if got, _ := s.Get(ctx, []string{"a", "b"}); !slices.Equal(got, []int64{0, -1}) {
		t.Fatalf("Get after a's expiry = %v, want [0 -1]", got)
	}
	if n := s.Sweep(); n != 1 {
		t.Errorf("Sweep left %d counters, want 1 (b)", n)
	}
	if got, _ := s.Add(ctx, []Inc{{Key: "a", Delta: 1, TTL: time.Minute}}); !slices.Equal(got, []int64{1}) {
		t.Errorf("Add after expiry = %v, want a fresh counter [1]", got)
	}
}

func TestCheckRefusesBadIncs(t *testing.T) {
	s := NewMem(nil)
	long := string(make([]byte, MaxKeyBytes+1))
	for _, incs := range [][]Inc{
		{{Key: "", Delta: 1, TTL: time.Second}},
		{{Key: "ok", Delta: 1, TTL: time.Second}, {Key: long, Delta: 1, TTL: time.Second}},
		{{Key: "ok", Delta: 1, TTL: 0}},
	} {
		if _, err := s.Add(context.Background(), incs); !errors.Is(err, ErrInvalid) {
			t.Errorf("Add(%d incs) error %v, want ErrInvalid", len(incs), err)
		}
	}
	if got, _ := s.Get(context.Background(), []string{"ok"}); got[0] != 0 {
		t.Errorf("a refused call changed a counter: ok = %d", got[0])
	}
}
