// Package ratelimit enforces outbound rate limits on a shared counter
// store (internal/counter): per SASL user, client IP or sender domain, in
// messages or in recipients per window, with a burst, so that a
// compromised account cannot send its 500 phishing messages in half a
// second and get the ISP's addresses listed (Decree 91/2020 Art. 10.4).
// It counts and decides; a rule chooses the action (by default a
// tempfail naming the limit).
//
// # Algorithm: a sliding window from two fixed buckets
//
// Time is cut into buckets of one window (W). A limit counts into the
// bucket of now and reads the one before it, and estimates the units of
// the sliding window that ends now as
//
//	previous × (W − elapsed)/W + current
//
// (elapsed: time since the current bucket began), as Cloudflare's and
// nginx-style limiters do. A message of n units passes when the estimate
// with it is at most Count. The counters are increments only, so one
// atomic counter.Store Add per message does it: both buckets of every
// limit are in that one call (the previous bucket with a delta of 0, which
// reads it), and a message refused by any limit takes its units back out
// with a second Add.
//
// GCRA (a token bucket as one "theoretical arrival time" per key) was the
// other candidate: it needs max(TAT, now) before the addition, a
// compare-and-set that an increment-only store cannot express without a
// race or a script per backend. Two buckets need nothing but Add.
//
// # Exactness
//
// The Add of a racing message returns the count of every message counted
// before it, on any node, exactly once: the values racing messages see are
// distinct, and the estimate is monotone in them, so of N messages at one
// instant exactly the first Count that fit pass, whatever node counted
// them. A refused message's units stay counted until its undo: a message
// meanwhile sees them too. For one limit that never refuses a message that
// fits (a refusal happens only once Count units have passed); with several
// limits, a message refused by one limit can, for the moment before its
// undo, make another limit refuse a message that would have fitted it. An
// undo that fails (the store went away) leaves the units counted: the
// limit errs towards refusing. The estimate assumes the previous bucket's
// units were spread evenly: when they all came at its end, a sliding
// window across the two buckets can hold up to (nearly) 2 × Count, never
// more, as each bucket alone holds at most Count.
//
// # Burst
//
// Count per Window is the sustained rate. Burst (at most Count) bounds
// how much of it may come at once: a second sliding window of
// Window × Burst/Count holds at most Burst units, as a token bucket of
// Burst tokens refilled at Count per Window would. 100 messages an hour
// with a burst of 20: at most 20 in any 12 minutes.
package ratelimit

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"milter91/internal/counter"
)

// Scope is what a limit counts per.
type Scope string

// The scopes of a message.
const (
	// SASLUser counts per authenticated user (Postfix's {auth_authen}),
	// compared without case.
	SASLUser Scope = "sasl_user"
	// ClientIP counts per client address; IPv6 per /64, the block a
	// single customer usually holds.
	ClientIP Scope = "client_ip"
	// SenderDomain counts per envelope sender domain, without case.
	SenderDomain Scope = "sender_domain"
)

// Unit is what a limit counts.
type Unit string

// The units of a limit.
const (
	Messages   Unit = "messages"
	Recipients Unit = "recipients"
)

// Limit is one rate limit.
type Limit struct {
	// Name names the limit in replies, logs, metrics and counter keys: 1
	// to 32 of a-z, 0-9 and _.
	Name  string
	Scope Scope
	Unit  Unit
	// Count is the most units in any Window: 1 to MaxCount.
	Count int64
	// Window is the sliding window: 1 s to MaxWindow, whole milliseconds.
	Window time.Duration
	// Burst, when set (1 to Count), is the most units in any
	// Window × Burst/Count; 0 or Count: no bound but Count.
	Burst int64
}

// Bounds of a Limit.
const (
	MaxCount  = 1_000_000_000
	MaxWindow = 31 * 24 * time.Hour
)

// ErrInvalid is returned, wrapped, by New for a limit it cannot enforce.
var ErrInvalid = errors.New("ratelimit: invalid limit")

var nameRE = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// Check returns an ErrInvalid error naming what is wrong with l, nil for
// a limit New accepts.
func (l Limit) Check() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w %q: %s", ErrInvalid, l.Name, fmt.Sprintf(format, args...))
	}
	switch {
	case !nameRE.MatchString(l.Name):
		return bad("the name wants 1 to 32 of a-z, 0-9 and _")
	case l.Scope != SASLUser && l.Scope != ClientIP && l.Scope != SenderDomain:
		return bad("scope %q, want %s, %s or %s", l.Scope, SASLUser, ClientIP, SenderDomain)
	case l.Unit != Messages && l.Unit != Recipients:
		return bad("unit %q, want %s or %s", l.Unit, Messages, Recipients)
	case l.Count < 1 || l.Count > MaxCount:
		return bad("count %d, want 1 to %d", l.Count, MaxCount)
	case l.Window < time.Second || l.Window > MaxWindow || l.Window%time.Millisecond != 0:
		return bad("window %v, want 1s to %v in whole milliseconds", l.Window, MaxWindow)
	case l.Burst < 0 || l.Burst > l.Count:
		return bad("burst %d, want 0 to the count (%d)", l.Burst, l.Count)
	}
	return nil
}

// windows returns the limit's sliding windows: (Window, Count), and the
// burst's when it bounds anything.
func (l Limit) windows() []window {
	out := []window{{length: l.Window.Milliseconds(), max: l.Count}}
	if l.Burst > 0 && l.Burst < l.Count {
		length := max(1, l.Window.Milliseconds()*l.Burst/l.Count)
		out = append(out, window{length: length, max: l.Burst})
	}
	return out
}

// Message is what a limit counts of one message.
type Message struct {
	// SASLUser, ClientIP (textual, as Postfix gives it) and SenderDomain;
	// a limit whose scope is empty here does not apply.
	SASLUser, ClientIP, SenderDomain string
	// Recipients is the number of recipients; a recipient limit does not
	// apply to a message with none.
	Recipients int
}

// Hit is a limit a message exceeded, with what a rule or a reply needs.
type Hit struct {
	Limit Limit
	// Key is the scope's value the limit counted (the user, the address or
	// its /64, the domain), normalized.
	Key string
	// Window and Max are the bound exceeded: Limit.Window and Count, or
	// the burst's window and Burst.
	Window time.Duration
	Max    int64
	// Count is the units already counted in that sliding window, without
	// this message (the estimate, rounded up).
	Count int64
	// RetryAfter is the earliest time after which this message fits,
	// should nothing else be counted meanwhile.
	RetryAfter time.Duration
	// Never is set when the message alone has more units than Max: no
	// retry fits (RetryAfter is then 0).
	Never bool
}

// Decision is the outcome of Take.
type Decision struct {
	// Allowed is true when every limit that applies had room: the message
	// is counted.
	Allowed bool
	// Hit is the first exceeded limit in the Limiter's order (one the
	// message alone exceeds first, Never), nil when Allowed.
	Hit *Hit
	// taken are the increments that counted an allowed message, for
	// Return.
	taken []counter.Inc
}

// Limiter counts messages against its limits on a shared store. Safe
// for concurrent use; Limiters of several nodes on one store enforce one
// limit together.
type Limiter struct {
	store  counter.Store
	limits []Limit
	now    func() time.Time
}

// New returns a Limiter for limits, in their order (the first exceeded
// is reported), on store, with the clock now (time.Now when nil; every
// node on one store needs the same time, NTP). Errors: ErrInvalid for a
// bad limit or two of one name.
func New(store counter.Store, limits []Limit, now func() time.Time) (*Limiter, error) {
	seen := map[string]bool{}
	for _, l := range limits {
		if err := l.Check(); err != nil {
			return nil, err
		}
		if seen[l.Name] {
			return nil, fmt.Errorf("%w %q: two limits of this name", ErrInvalid, l.Name)
		}
		seen[l.Name] = true
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{store: store, limits: append([]Limit(nil), limits...), now: now}, nil
}
