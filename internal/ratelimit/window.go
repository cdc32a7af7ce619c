package ratelimit

import "math/bits"

// window is one sliding window of a limit: length in milliseconds, at
// most max units.
type window struct{ length, max int64 }

// state is a window's two buckets at a moment: prev and cur units (cur
// without the message being decided), elapsed milliseconds of the
// current bucket.
type state struct{ prev, cur, elapsed int64 }

// fits reports whether cost more units keep the estimate within max:
// prev×(length−elapsed) + (cur+cost)×length ≤ max×length, in 128 bits
// (prev is whatever the store holds).
func (w window) fits(s state, cost int64) bool {
	room := w.max - max(0, s.cur) - cost
	if room < 0 {
		return false
	}
	hi, lo := bits.Mul64(uint64(max(0, s.prev)), uint64(w.length-s.elapsed))
	rhi, rlo := bits.Mul64(uint64(room), uint64(w.length))
	return hi < rhi || (hi == rhi && lo <= rlo)
}

// estimate returns the units in the sliding window ending now, without
// the message: ⌈prev×(length−elapsed)/length⌉ + cur.
func (w window) estimate(s state) int64 {
	hi, lo := bits.Mul64(uint64(max(0, s.prev)), uint64(w.length-s.elapsed))
	q, r := bits.Div64(hi, lo, uint64(w.length)) // q < prev: no overflow
	if r > 0 {
		q++
	}
	return int64(q) + max(0, s.cur)
}

// retryAfter returns the milliseconds until cost units fit, if nothing
// else is counted meanwhile, and false when they never do (cost > max).
// In the current bucket the previous one's weight shrinks by one unit of
// prev per length/prev ms; once the next bucket begins, cur becomes its
// previous bucket and nothing is current.
func (w window) retryAfter(s state, cost int64) (int64, bool) {
	if cost > w.max {
		return 0, false
	}
	prev, cur := max(0, s.prev), max(0, s.cur)
	left := w.length - s.elapsed // ms to the next bucket
	if room := w.max - cur - cost; room >= 0 {
		if prev == 0 {
			return 0, true
		}
		// prev×(left−d) ≤ room×length  ⇔  d ≥ left − ⌊room×length/prev⌋
		if d := left - room*w.length/prev; d < left {
			return max(0, d), true
		}
	}
	if cur == 0 {
		return left, true
	}
	// In the next bucket: cur×(length−e) ≤ (max−cost)×length.
	e := w.length - (w.max-cost)*w.length/cur
	return left + max(0, e), true
}
