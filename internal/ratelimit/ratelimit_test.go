package ratelimit

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"milter91/internal/counter"
)

var bg = context.Background()

// clock is a time source the tests move.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// t0 is the start of an hour, so of every bucket of a window that divides
// one.
var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func newLimiter(t *testing.T, store counter.Store, c *clock, limits ...Limit) *Limiter {
	t.Helper()
	l, err := New(store, limits, c.Now)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func take(t *testing.T, l *Limiter, m Message) Decision {
	t.Helper()
	d, err := l.Take(bg, m)
	if err != nil {
		t.Fatalf("Take(%+v): %v", m, err)
	}
	return d
}

var user = Message{SASLUser: "customer@example.com", ClientIP: "192.0.2.7", SenderDomain: "example.com", Recipients: 1}

// 60 messages of one user race on two nodes sharing a store: exactly the
// limit's 25 pass, and the next one, counted alone, is refused seeing 25.
func TestExactAcrossTwoNodes(t *testing.T) {
	store := counter.NewMem(nil)
	c := &clock{t: t0.Add(20 * time.Minute)}
	lim := Limit{Name: "user_hour", Scope: SASLUser, Unit: Messages, Count: 25, Window: time.Hour}
	nodes := []*Limiter{newLimiter(t, store, c, lim), newLimiter(t, store, c, lim)}
	var allowed, refused sync.WaitGroup
	var mu sync.Mutex
	passed := 0
	for i := range 60 {
		allowed.Go(func() {
			d, err := nodes[i%2].Take(bg, user)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if d.Allowed {
				passed++
			} else if d.Hit == nil || d.Hit.Limit.Name != "user_hour" || d.Hit.Max != 25 || d.Hit.Count < 25 {
				t.Errorf("refused with %+v", d.Hit)
			}
		})
	}
	allowed.Wait()
	refused.Wait()
	if passed != 25 {
		t.Fatalf("%d of 60 passed, want 25", passed)
	}
	d := take(t, nodes[0], user)
	if d.Allowed || d.Hit.Count != 25 || d.Hit.Window != time.Hour || d.Hit.Key != "customer@example.com" {
		t.Fatalf("the 61st: %+v, want refused with 25 counted in 1h", d.Hit)
	}
}

// The 3rd message of 3 a minute passes, the 4th waits: not a millisecond
// before its RetryAfter, and then it passes.
func TestRetryAfterIsTheEarliestFit(t *testing.T) {
	c := &clock{t: t0.Add(10 * time.Second)}
	l := newLimiter(t, counter.NewMem(c.Now), c, Limit{Name: "ip", Scope: ClientIP, Unit: Messages, Count: 3, Window: time.Minute})
	for i := range 3 {
		if d := take(t, l, user); !d.Allowed {
			t.Fatalf("message %d refused: %+v", i+1, d.Hit)
		}
	}
	d := take(t, l, user)
	if d.Allowed || d.Hit.Count != 3 || d.Hit.Key != "192.0.2.7" {
		t.Fatalf("the 4th: %+v", d)
	}
	// Hand-computed: the 3 sit in the bucket of 10:00; at 10:01+e the
	// estimate is 3×(60−e)/60 + 1 ≤ 3 from e = 20 s: 70 s after 10:00:10.
	if d.Hit.RetryAfter != 70*time.Second {
		t.Errorf("RetryAfter = %v, want 1m10s", d.Hit.RetryAfter)
	}
	c.Advance(d.Hit.RetryAfter - time.Millisecond)
	if d := take(t, l, user); d.Allowed {
		t.Fatal("passed 1 ms before its RetryAfter")
	}
	c.Advance(time.Millisecond)
	if d := take(t, l, user); !d.Allowed {
		t.Fatalf("refused at its RetryAfter: %+v", d.Hit)
	}
}

// A refused message's recipients are taken back out: a smaller message
// still fits, and one larger than the limit never does.
func TestRecipients(t *testing.T) {
	c := &clock{t: t0}
	l := newLimiter(t, counter.NewMem(c.Now), c, Limit{Name: "rcpt", Scope: SenderDomain, Unit: Recipients, Count: 10, Window: time.Hour})
	m := user
	for i, tc := range []struct {
		rcpts int
		ok    bool
	}{{4, true}, {4, true}, {4, false}, {2, true}, {1, false}, {0, true}} {
		m.Recipients = tc.rcpts
		if d := take(t, l, m); d.Allowed != tc.ok {
			t.Fatalf("message %d with %d recipients: allowed %v, want %v (%+v)", i+1, tc.rcpts, d.Allowed, tc.ok, d.Hit)
		}
	}
	m.Recipients = 11
	d := take(t, l, m)
	if d.Allowed || !d.Hit.Never || d.Hit.RetryAfter != 0 || d.Hit.Count != 10 {
		t.Errorf("11 recipients against 10: %+v, want refused, never fitting", d.Hit)
	}
}

// A burst of 10 in 60 an hour: 10 at once, then one per 6 minutes' worth
// of the 10-minute window.
func TestBurst(t *testing.T) {
	c := &clock{t: t0}
	l := newLimiter(t, counter.NewMem(c.Now), c, Limit{Name: "user", Scope: SASLUser, Unit: Messages, Count: 60, Window: time.Hour, Burst: 10})
	for i := range 10 {
		if d := take(t, l, user); !d.Allowed {
			t.Fatalf("message %d of the burst refused: %+v", i+1, d.Hit)
		}
	}
	d := take(t, l, user)
	if d.Allowed || d.Hit.Window != 10*time.Minute || d.Hit.Max != 10 || d.Hit.Count != 10 {
		t.Fatalf("the 11th: %+v, want the burst window of 10 min with 10 counted", d.Hit)
	}
	// 10 at 10:00 in 10-minute buckets: from 10:10 their weight falls by
	// one per minute; 10×(10−e)/10 + 1 ≤ 10 at e = 1 min.
	if d.Hit.RetryAfter != 11*time.Minute {
		t.Errorf("RetryAfter = %v, want 11m", d.Hit.RetryAfter)
	}
}

// Scopes are normalized; a limit whose scope the message lacks, or a
// recipient limit for a message without recipients, does not apply.
func TestScopes(t *testing.T) {
	c := &clock{t: t0}
	store := counter.NewMem(c.Now)
	lims := []Limit{
		{Name: "user", Scope: SASLUser, Unit: Messages, Count: 1, Window: time.Hour},
		{Name: "ip", Scope: ClientIP, Unit: Messages, Count: 1, Window: time.Hour},
		{Name: "domain", Scope: SenderDomain, Unit: Messages, Count: 1, Window: time.Hour},
	}
	l := newLimiter(t, store, c, lims...)
	for _, pair := range [][2]Message{
		{{SASLUser: "Bob@Example.COM"}, {SASLUser: "bob@example.com"}},
		{{ClientIP: "2001:db8:1:2:aaaa::1"}, {ClientIP: "2001:db8:1:2:bbbb::2"}},
		{{ClientIP: "::ffff:192.0.2.1"}, {ClientIP: "192.0.2.1"}},
		{{ClientIP: "[192.0.2.9]"}, {ClientIP: "192.0.2.9"}},
		{{SenderDomain: "Example.NET."}, {SenderDomain: "example.net"}},
	} {
		if d := take(t, l, pair[0]); !d.Allowed {
			t.Fatalf("first %+v refused", pair[0])
		}
		if d := take(t, l, pair[1]); d.Allowed {
			t.Errorf("%+v passed after %+v: one key, limit 1", pair[1], pair[0])
		}
	}
	if d := take(t, l, Message{ClientIP: "2001:db8:1:3::1"}); !d.Allowed {
		t.Errorf("another /64 counted as the first: %+v", d.Hit)
	}
	if d := take(t, l, Message{}); !d.Allowed {
		t.Errorf("a message without user, address or domain was limited: %+v", d.Hit)
	}
}

// The first limit exceeded, in order, is reported; the refused message's
// units leave the other limits' counts as they were.
func TestOrderAndUndo(t *testing.T) {
	c := &clock{t: t0}
	store := counter.NewMem(c.Now)
	l := newLimiter(t, store, c,
		Limit{Name: "ip", Scope: ClientIP, Unit: Messages, Count: 100, Window: time.Hour},
		Limit{Name: "user", Scope: SASLUser, Unit: Messages, Count: 2, Window: time.Hour},
		Limit{Name: "domain", Scope: SenderDomain, Unit: Messages, Count: 2, Window: time.Hour})
	take(t, l, user)
	take(t, l, user)
	for range 5 {
		if d := take(t, l, user); d.Allowed || d.Hit.Limit.Name != "user" {
			t.Fatalf("want a refusal by user (first of user and domain), got %+v", d.Hit)
		}
	}
	ip := newLimiter(t, store, c, Limit{Name: "ip", Scope: ClientIP, Unit: Messages, Count: 3, Window: time.Hour})
	if d := take(t, ip, user); !d.Allowed {
		t.Fatalf("the refused messages stayed counted on the ip limit: %+v", d.Hit)
	}
	if d := take(t, ip, user); d.Allowed {
		t.Fatal("the ip limit did not count the two passed messages")
	}
}

func TestNewRefusesBadLimits(t *testing.T) {
	ok := Limit{Name: "ok", Scope: SASLUser, Unit: Messages, Count: 10, Window: time.Hour}
	for _, mod := range []func(*Limit){
		func(l *Limit) { l.Name = "" },
		func(l *Limit) { l.Name = "Bad-Name" },
		func(l *Limit) { l.Scope = "recipient" },
		func(l *Limit) { l.Unit = "bytes" },
		func(l *Limit) { l.Count = 0 },
		func(l *Limit) { l.Count = MaxCount + 1 },
		func(l *Limit) { l.Window = 999 * time.Millisecond },
		func(l *Limit) { l.Window = MaxWindow + time.Millisecond },
		func(l *Limit) { l.Window = time.Hour + time.Microsecond },
		func(l *Limit) { l.Burst = 11 },
		func(l *Limit) { l.Burst = -1 },
	} {
		bad := ok
		mod(&bad)
		if _, err := New(counter.NewMem(nil), []Limit{bad}, nil); !errors.Is(err, ErrInvalid) {
			t.Errorf("New(%+v) error %v, want ErrInvalid", bad, err)
		}
	}
	if _, err := New(counter.NewMem(nil), []Limit{ok, ok}, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("two limits of one name: %v", err)
	}
	if _, err := New(counter.NewMem(nil), []Limit{ok}, nil); err != nil {
		t.Errorf("a good limit: %v", err)
	}
}

// failing fails every Add after the first ok ones.
type failing struct {
	counter.Store
	ok int
}

func (f *failing) Add(ctx context.Context, incs []counter.Inc) ([]int64, error) {
	if f.ok == 0 {
		return nil, errors.New("store down")
	}
	f.ok--
	return f.Store.Add(ctx, incs)
}

// A store that fails: no decision; an undo that fails: the refusal holds.
func TestStoreErrors(t *testing.T) {
	c := &clock{t: t0}
	store := &failing{Store: counter.NewMem(c.Now), ok: 2}
	l := newLimiter(t, store, c, Limit{Name: "user", Scope: SASLUser, Unit: Messages, Count: 1, Window: time.Hour})
	take(t, l, user)
	d, err := l.Take(bg, user) // counted, then the undo fails
	if err == nil || d.Allowed || d.Hit == nil {
		t.Errorf("failed undo: %+v, %v; want a refusal and an error", d, err)
	}
	if d, err := l.Take(bg, user); err == nil || d.Allowed || d.Hit != nil {
		t.Errorf("failed count: %+v, %v; want no decision and an error", d, err)
	}
}

// Random traffic against random limits: no bucket of a window holds more
// than its max, no sliding window more than twice it; every refusal's
// RetryAfter is the first moment the message fits.
func TestRandomTraffic(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		count := 1 + rng.Int64N(20)
		lim := Limit{Name: "r", Scope: SASLUser, Unit: Recipients, Count: count,
			Window: time.Duration(1+rng.Int64N(3600)) * time.Second, Burst: rng.Int64N(count + 1)}
		c := &clock{t: t0.Add(time.Duration(rng.Int64N(int64(time.Hour))))}
		l := newLimiter(t, counter.NewMem(c.Now), c, lim)
		var log []arrival
		for range 60 {
			c.Advance(time.Duration(rng.Int64N(int64(lim.Window) / 4)))
			m := Message{SASLUser: "u", Recipients: 1 + rng.IntN(3)}
			d := take(t, l, m)
			if d.Allowed {
				log = append(log, arrival{c.Now(), int64(m.Recipients)})
				continue
			}
			if d.Hit.Never {
				if int64(m.Recipients) <= d.Hit.Max {
					t.Fatalf("trial %d: Never for %d units against %d", trial, m.Recipients, d.Hit.Max)
				}
				continue
			}
			if d.Hit.RetryAfter <= 0 {
				t.Fatalf("trial %d: refused with RetryAfter %v", trial, d.Hit.RetryAfter)
			}
			c.Advance(d.Hit.RetryAfter - time.Millisecond)
			if d2 := take(t, l, m); d2.Allowed {
				t.Fatalf("trial %d (%+v): passed 1 ms before RetryAfter %v", trial, lim, d.Hit.RetryAfter)
			}
			c.Advance(time.Millisecond)
			if d2 := take(t, l, m); !d2.Allowed {
				t.Fatalf("trial %d (%+v): refused at RetryAfter %v: %+v", trial, lim, d.Hit.RetryAfter, d2.Hit)
			}
			log = append(log, arrival{c.Now(), int64(m.Recipients)})
		}
		for _, w := range lim.windows() {
			checkWindows(t, trial, w, log)
		}
	}
}

type arrival struct {
	at    time.Time
	units int64
}

// checkWindows: per bucket at most w.max units, per sliding window (one
// ending at each arrival) at most 2 × w.max.
func checkWindows(t *testing.T, trial int, w window, log []arrival) {
	t.Helper()
	length := time.Duration(w.length) * time.Millisecond
	buckets := map[int64]int64{}
	for i, a := range log {
		b := a.at.UnixMilli() / w.length
		buckets[b] += a.units
		if buckets[b] > w.max {
			t.Fatalf("trial %d: bucket %d of %v holds %d > %d", trial, b, length, buckets[b], w.max)
		}
		var sum int64
		for _, p := range log[:i+1] {
			if a.at.Sub(p.at) < length {
				sum += p.units
			}
		}
		if sum > 2*w.max {
			t.Fatalf("trial %d: %d units in %v, more than twice %d", trial, sum, length, w.max)
		}
	}
}

// A message counted and then not sent (another rule refused it) is
// returned: its resend counts once.
func TestReturn(t *testing.T) {
	c := &clock{t: t0}
	l := newLimiter(t, counter.NewMem(c.Now), c, Limit{Name: "user", Scope: SASLUser, Unit: Recipients, Count: 4, Window: time.Hour})
	m := user
	m.Recipients = 2
	d := take(t, l, m)
	if err := l.Return(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	take(t, l, m)
	if d := take(t, l, m); !d.Allowed {
		t.Fatalf("after one Return, two messages of 2 recipients do not fit 4: %+v", d.Hit)
	}
	refused := take(t, l, m)
	if refused.Allowed {
		t.Fatal("a third message fit")
	}
	if err := l.Return(context.Background(), refused); err != nil {
		t.Fatal(err)
	}
	if d := take(t, l, m); d.Allowed {
		t.Fatal("returning a refused message took units out twice")
	}
}
