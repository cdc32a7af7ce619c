package ratelimit

import (
	"math"
	"testing"
)

// Counts far beyond any limit (a store holding anything) neither overflow
// nor fit.
func TestWindowLargeCounts(t *testing.T) {
	w := window{length: 3_600_000, max: MaxCount}
	s := state{prev: math.MaxInt64, cur: 0, elapsed: 1}
	if w.fits(s, 1) {
		t.Error("a previous bucket of MaxInt64 left room")
	}
	if got := w.estimate(s); got <= MaxCount {
		t.Errorf("estimate %d, want more than the max", got)
	}
	if w.fits(state{prev: 0, cur: math.MaxInt64}, 1) {
		t.Error("a current bucket of MaxInt64 left room")
	}
	if ra, ok := w.retryAfter(state{prev: math.MaxInt64, cur: MaxCount, elapsed: 0}, 1); !ok || ra <= w.length {
		t.Errorf("retryAfter = %d, %v; want past the next bucket's start", ra, ok)
	}
}

// The estimate rounds the previous bucket's share up: a limit is never
// reported with fewer units than it holds.
func TestWindowEstimate(t *testing.T) {
	w := window{length: 60_000, max: 10}
	for _, tc := range []struct {
		s    state
		want int64
	}{
		{state{prev: 10, cur: 0, elapsed: 0}, 10},
		{state{prev: 10, cur: 2, elapsed: 30_000}, 7},
		{state{prev: 10, cur: 0, elapsed: 59_999}, 1},
		{state{prev: 0, cur: 4, elapsed: 59_999}, 4},
		{state{prev: -3, cur: -1, elapsed: 0}, 0},
	} {
		if got := w.estimate(tc.s); got != tc.want {
			t.Errorf("estimate(%+v) = %d, want %d", tc.s, got, tc.want)
		}
	}
}
