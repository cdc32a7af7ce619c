package counterstore

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"milter91/internal/counter"
	"milter91/internal/dsn"
	"milter91/internal/pgtest"
	"milter91/internal/redistest"
)

func TestMain(m *testing.M) {
	os.Exit(redistest.Main(redistest.RunFunc(func() int { return pgtest.Main(m) })))
}

// clock is a time source the tests move.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// newClock starts an hour after the real time, on a whole second: a
// Redis server drops a key at its expiry by its own clock, which is then
// always earlier than the store's.
func newClock() *clock { return &clock{t: time.Now().Add(time.Hour).Truncate(time.Second)} }

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

// backend opens stores of one kind for the contract suite.
type backend struct {
	name string
	// open returns two stores ("nodes") on one new, empty database.
	open func(t testing.TB, opt Options) (a, b counter.Backend)
}

// backends are the contract suite's stores: Mem, a SQLite file, a
// PostgreSQL database at each isolation level, a Redis database.
func backends() []backend {
	two := func(target func(testing.TB) string) func(testing.TB, Options) (counter.Backend, counter.Backend) {
		return func(t testing.TB, opt Options) (counter.Backend, counter.Backend) {
			tg := target(t)
			return openT(t, tg, opt), openT(t, tg, opt)
		}
	}
	pgAt := func(level string) func(testing.TB) string {
		return func(t testing.TB) string {
			return pgtest.DSN(t) + "&default_transaction_isolation=" + strings.ReplaceAll(level, " ", "%20")
		}
	}
	return []backend{
		{name: "mem", open: func(t testing.TB, opt Options) (counter.Backend, counter.Backend) {
			m := counter.NewMem(opt.Now)
			return m, m
		}},
		{name: "sqlite", open: two(func(t testing.TB) string { return filepath.Join(t.TempDir(), "c.db") })},
		{name: "postgres", open: two(pgAt("read committed"))},
		{name: "postgres_repeatable_read", open: two(pgAt("repeatable read"))},
		{name: "postgres_serializable", open: two(pgAt("serializable"))},
		{name: "redis", open: two(redistest.URL)},
	}
}

func openT(t testing.TB, target string, opt Options) counter.Backend {
	t.Helper()
	if opt.Name == "" {
		opt.Name = "test"
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Open(ctx, target, opt)
	if err != nil {
		t.Fatalf("Open(%s): %v", dsn.Redact(target), err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestContract runs every case on every backend.
func TestContract(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, a, b counter.Backend, c *clock)
	}{
		{"AddGet", contractAddGet},
		{"Expiry", contractExpiry},
		{"Concurrent", contractConcurrent},
		{"Invalid", contractInvalid},
		{"Overflow", contractOverflow},
		{"ManyKeys", contractManyKeys},
		{"Canceled", contractCanceled},
		{"Maintain", contractMaintain},
	}
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					c := newClock()
					a, b := be.open(t, Options{Now: c.Now})
					tc.run(t, a, b, c)
				})
			}
		})
	}
}

var bg = context.Background()

func mustAdd(t *testing.T, s counter.Store, incs ...counter.Inc) []int64 {
	t.Helper()
	got, err := s.Add(bg, incs)
	if err != nil {
		t.Fatalf("Add(%v): %v", incs, err)
	}
	return got
}

func mustGet(t *testing.T, s counter.Store, keys ...string) []int64 {
	t.Helper()
	got, err := s.Get(bg, keys)
	if err != nil {
		t.Fatalf("Get(%q): %v", keys, err)
	}
	return got
}

func contractAddGet(t *testing.T, a, b counter.Backend, _ *clock) {
	binary := "k\x00\xff\xfe" // any bytes: NUL, not UTF-8
	got := mustAdd(t, a, inc("a", 2, time.Minute), inc("b", -1, time.Hour), inc("a", 3, time.Second), inc(binary, 7, time.Minute))
	if !slices.Equal(got, []int64{2, -1, 5, 7}) {
		t.Fatalf("Add = %v, want [2 -1 5 7]", got)
	}
	// The other node sees the same counters; a 0 delta reads and refreshes.
	if got := mustAdd(t, b, inc("a", 0, time.Minute), inc("k", 0, time.Minute)); !slices.Equal(got, []int64{5, 0}) {
		t.Fatalf("Add of 0 on the other node = %v, want [5 0]", got)
	}
	long := strings.Repeat("x", counter.MaxKeyBytes+1)
	if got := mustGet(t, b, binary, "k\x00", "b", "missing", "a", "", long, "a"); !slices.Equal(got, []int64{7, 0, -1, 0, 5, 0, 0, 5}) {
		t.Fatalf("Get = %v, want [7 0 -1 0 5 0 0 5]", got)
	}
	if got, err := a.Add(bg, nil); err != nil || len(got) != 0 {
		t.Errorf("Add(nil) = %v, %v; want [], nil", got, err)
	}
	if got, err := a.Get(bg, nil); err != nil || len(got) != 0 {
		t.Errorf("Get(nil) = %v, %v; want [], nil", got, err)
	}
	big := int64(1)<<60 + 3 // past 2^53, where a float64 (a Lua number) rounds
	if got := mustAdd(t, a, inc("big", big, time.Minute), inc("big", 1, time.Minute)); !slices.Equal(got, []int64{big, big + 1}) {
		t.Errorf("Add past 2^53 = %v, want [%d %d]", got, big, big+1)
	}
	if got := mustGet(t, b, "big"); got[0] != big+1 {
		t.Errorf("Get past 2^53 = %d, want %d", got[0], big+1)
	}
	if err := a.Ping(bg); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func contractExpiry(t *testing.T, a, b counter.Backend, c *clock) {
	mustAdd(t, a, inc("min", 1, time.Minute), inc("hour", 1, time.Hour), inc("tiny", 1, time.Microsecond), inc("slide", 1, time.Minute))
	if got := mustGet(t, b, "tiny"); got[0] != 1 {
		t.Errorf("a 1 µs counter right away = %d, want 1 (no earlier than its TTL)", got[0])
	}
	c.Advance(30 * time.Second)
	// A shorter TTL does not shorten "min"; a longer one lengthens "slide"
	// to 30 s + 1 min.
	mustAdd(t, b, inc("min", 1, time.Second), inc("slide", 1, time.Minute))
	c.Advance(30*time.Second - time.Millisecond)
	if got := mustGet(t, a, "min", "hour", "slide", "tiny"); !slices.Equal(got, []int64{2, 1, 2, 0}) {
		t.Fatalf("1 ms before the minute: %v, want [2 1 2 0]", got)
	}
	c.Advance(time.Millisecond)
	if got := mustGet(t, b, "min", "hour", "slide"); !slices.Equal(got, []int64{0, 1, 2}) {
		t.Fatalf("at the minute: %v, want [0 1 2] (min expired)", got)
	}
	// An expired counter restarts from the delta, with the new TTL only.
	if got := mustAdd(t, a, inc("min", 5, time.Second)); got[0] != 5 {
		t.Fatalf("Add to an expired counter = %d, want 5", got[0])
	}
	c.Advance(time.Second)
	if got := mustGet(t, b, "min", "slide"); !slices.Equal(got, []int64{0, 2}) {
		t.Fatalf("a second later: %v, want [0 2]", got)
	}
	c.Advance(29 * time.Second)
	if got := mustGet(t, a, "slide", "hour"); !slices.Equal(got, []int64{0, 1}) {
		t.Fatalf("at 1 min 30 s: %v, want [0 1]", got)
	}
	c.Advance(time.Hour)
	if got := mustGet(t, a, "hour"); got[0] != 0 {
		t.Fatalf("after the hour: %d, want 0", got[0])
	}
}

// contractConcurrent: n Adds of two keys from n goroutines, half on each
// node, return distinct values 1..n, equal for both keys of one call (the
// keys of a call are applied together, with no other call between).
func contractConcurrent(t *testing.T, a, b counter.Backend, _ *clock) {
	const n = 40
	type pair struct{ x, y int64 }
	got := make(chan pair, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(bg, time.Minute)
			defer cancel()
			v, err := s.Add(ctx, []counter.Inc{inc("x", 1, time.Hour), inc("y", 1, time.Hour)})
			if err != nil {
				errs <- err
				return
			}
			got <- pair{v[0], v[1]}
		})
	}
	wg.Wait()
	close(got)
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent Add: %v", err)
	}
	var xs []int64
	for p := range got {
		if p.x != p.y {
			t.Errorf("one Add returned x=%d y=%d: another Add came between its keys", p.x, p.y)
		}
		xs = append(xs, p.x)
	}
	slices.Sort(xs)
	for i, x := range xs {
		if x != int64(i+1) {
			t.Fatalf("values %v, want 1..%d once each", xs, n)
		}
	}
	if v := mustGet(t, b, "x", "y"); !slices.Equal(v, []int64{n, n}) {
		t.Errorf("Get = %v, want [%d %d]", v, n, n)
	}
}

func contractInvalid(t *testing.T, a, b counter.Backend, _ *clock) {
	long := strings.Repeat("k", counter.MaxKeyBytes+1)
	for _, incs := range [][]counter.Inc{
		{inc("ok", 1, time.Minute), inc("", 1, time.Minute)},
		{inc("ok", 1, time.Minute), inc(long, 1, time.Minute)},
		{inc("ok", 1, time.Minute), inc("neg", 1, -time.Second)},
		{inc("ok", 1, 0)},
	} {
		if _, err := a.Add(bg, incs); !errors.Is(err, counter.ErrInvalid) {
			t.Errorf("Add(%.60v) error %v, want ErrInvalid", incs, err)
		}
	}
	if got := mustGet(t, b, "ok"); got[0] != 0 {
		t.Errorf("a refused call changed a counter: ok = %d", got[0])
	}
	if got := mustAdd(t, a, inc(strings.Repeat("k", counter.MaxKeyBytes), 1, time.Minute)); got[0] != 1 {
		t.Errorf("a key of MaxKeyBytes: %d, want 1", got[0])
	}
}

func contractOverflow(t *testing.T, a, b counter.Backend, _ *clock) {
	mustAdd(t, a, inc("max", math.MaxInt64, time.Minute), inc("min", math.MinInt64, time.Minute))
	for _, incs := range [][]counter.Inc{
		{inc("other", 1, time.Minute), inc("max", 1, time.Minute)},
		{inc("other", 1, time.Minute), inc("min", -1, time.Minute)},
	} {
		if _, err := b.Add(bg, incs); !errors.Is(err, counter.ErrOverflow) {
			t.Errorf("Add(%v) error %v, want ErrOverflow", incs, err)
		}
	}
	if got := mustGet(t, a, "max", "min", "other"); !slices.Equal(got, []int64{math.MaxInt64, math.MinInt64, 0}) {
		t.Errorf("after the refused Adds: %v, want [max min 0]: nothing changed", got)
	}
	if got := mustAdd(t, b, inc("max", -1, time.Minute)); got[0] != math.MaxInt64-1 {
		t.Errorf("the counter still works: %d", got[0])
	}
}

// contractManyKeys: 1 200 keys in one Add (more than one SQLite
// statement), some twice.
func contractManyKeys(t *testing.T, a, b counter.Backend, _ *clock) {
	const n = 1200
	var incs []counter.Inc
	var keys []string
	var want []int64
	for i := range n {
		k := "key" + strings.Repeat("-", i%7) + string(rune('a'+i%26)) + strconv.Itoa(i)
		incs = append(incs, inc(k, int64(i), time.Minute))
		keys = append(keys, k)
		want = append(want, int64(i))
	}
	incs = append(incs, inc(keys[0], 10, time.Minute), inc(keys[n-1], 10, time.Minute))
	got := mustAdd(t, a, incs...)
	if !slices.Equal(got[:n], want) || got[n] != 10 || got[n+1] != int64(n-1+10) {
		t.Fatalf("Add of %d keys returned wrong values (first %v, last two %v)", n, got[:3], got[n:])
	}
	want[0], want[n-1] = 10, int64(n-1+10)
	if got := mustGet(t, b, keys...); !slices.Equal(got, want) {
		t.Fatalf("Get of %d keys: wrong values", n)
	}
}

func contractCanceled(t *testing.T, a, b counter.Backend, _ *clock) {
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if _, err := a.Add(ctx, []counter.Inc{inc("k", 1, time.Minute)}); err == nil {
		t.Error("Add with a canceled context succeeded")
	}
	if _, err := a.Get(ctx, []string{"k"}); err == nil {
		t.Error("Get with a canceled context succeeded")
	}
	if got := mustGet(t, b, "k"); got[0] != 0 {
		t.Errorf("a canceled Add changed k to %d", got[0])
	}
}

// contractMaintain: expired counters are removed, live ones kept.
func contractMaintain(t *testing.T, a, b counter.Backend, c *clock) {
	mustAdd(t, a, inc("short", 1, time.Minute), inc("long", 1, time.Hour))
	c.Advance(2 * time.Minute)
	up, err := b.Maintain(bg)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := a.(*Redis); !ok && (up.Expired != 1 || up.Rows != 1) {
		t.Errorf("Maintain = %+v, want 1 expired, 1 left", up)
	}
	if got := mustGet(t, a, "short", "long"); !slices.Equal(got, []int64{0, 1}) {
		t.Errorf("after Maintain: %v, want [0 1]", got)
	}
}

// inc is a counter.Inc.
func inc(key string, delta int64, ttl time.Duration) counter.Inc {
	return counter.Inc{Key: key, Delta: delta, TTL: ttl}
}
