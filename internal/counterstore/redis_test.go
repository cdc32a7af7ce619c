package counterstore

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/valkey-io/valkey-go"

	"milter91/internal/counter"
	"milter91/internal/dsn"
	"milter91/internal/redistest"
)

// rawClient connects to target without the store, to look at keys.
func rawClient(t *testing.T, target string) valkey.Client {
	t.Helper()
	opt, err := valkey.ParseURL(target)
	if err != nil {
		t.Fatal(err)
	}
	opt.DisableCache = true
	c, err := valkey.NewClient(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// The server drops a counter at its expiry itself: the key's own expiry
// is the counter's, in the store's clock, and is raised, never lowered.
func TestRedisKeyExpiry(t *testing.T) {
	target := redistest.URL(t)
	c := newClock()
	s := openT(t, target, Options{Name: "t", Now: c.Now})
	raw := rawClient(t, target)
	pexpiretime := func() int64 {
		t.Helper()
		v, err := raw.Do(bg, raw.B().Pexpiretime().Key("milter91:t:k").Build()).AsInt64()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	mustAdd(t, s, inc("k", 1, time.Minute))
	want := c.Now().Add(time.Minute).UnixMilli()
	if got := pexpiretime(); got != want {
		t.Fatalf("PEXPIRETIME = %d, want %d (now + 1 min)", got, want)
	}
	mustAdd(t, s, inc("k", 1, time.Second))
	if got := pexpiretime(); got != want {
		t.Errorf("a shorter TTL moved the expiry to %d, want %d", got, want)
	}
	mustAdd(t, s, inc("k", 1, time.Hour))
	if got, want := pexpiretime(), c.Now().Add(time.Hour).UnixMilli(); got != want {
		t.Errorf("a longer TTL: PEXPIRETIME = %d, want %d", got, want)
	}
	if v, err := raw.Do(bg, raw.B().Get().Key("milter91:t:k").Build()).ToString(); err != nil || v != "3" {
		t.Errorf("the key holds %q, %v; want the decimal value 3", v, err)
	}
}

// A failing increment in the middle of a call (a key of another type)
// undoes the increments before it: the call is applied whole or not at
// all, also for a key that had expired and one that repeats.
func TestRedisAddUndoesOnError(t *testing.T) {
	target := redistest.URL(t)
	c := newClock()
	s := openT(t, target, Options{Name: "t", Now: c.Now})
	raw := rawClient(t, target)
	mustAdd(t, s, inc("live", 5, time.Hour), inc("old", 7, time.Minute))
	c.Advance(2 * time.Minute) // "old" expired by the store's clock, still held by the server
	if err := raw.Do(bg, raw.B().Hset().Key("milter91:t:hash").FieldValue().FieldValue("f", "v").Build()).Error(); err != nil {
		t.Fatal(err)
	}
	_, err := s.Add(bg, []counter.Inc{inc("live", 1, time.Hour), inc("old", 1, time.Hour), inc("new", 1, time.Hour), inc("live", 1, time.Hour), inc("hash", 1, time.Hour)})
	if err == nil || !strings.Contains(err.Error(), "WRONGTYPE") {
		t.Fatalf("Add onto a hash: %v, want a WRONGTYPE error", err)
	}
	if got := mustGet(t, s, "live", "old", "new"); !slices.Equal(got, []int64{5, 0, 0}) {
		t.Errorf("after the failed Add: %v, want [5 0 0]", got)
	}
	c.Advance(-2 * time.Minute)
	if got := mustGet(t, s, "old"); got[0] != 7 {
		t.Errorf("the expired counter was not restored: %d, want 7", got[0])
	}
	if n, err := raw.Do(bg, raw.B().Exists().Key("milter91:t:new").Build()).AsInt64(); err != nil || n != 0 {
		t.Errorf("the new key is left behind: EXISTS %d, %v", n, err)
	}
	pt, _ := raw.Do(bg, raw.B().Pexpiretime().Key("milter91:t:live").Build()).AsInt64()
	if want := c.Now().Add(time.Hour).UnixMilli(); pt != want {
		t.Errorf("live's expiry after the undo: %d, want %d", pt, want)
	}
}

// Stores of different names on one database do not see each other's
// counters.
func TestRedisNamesAreSeparate(t *testing.T) {
	target := redistest.URL(t)
	a := openT(t, target, Options{Name: "one"})
	b := openT(t, target, Options{Name: "two"})
	mustAdd(t, a, inc("k", 1, time.Minute))
	if got := mustGet(t, b, "k"); got[0] != 0 {
		t.Errorf("store two sees store one's counter: %d", got[0])
	}
}

func TestRedisOpenErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(bg, time.Minute)
	defer cancel()
	target := redistest.URL(t)
	for _, tc := range []struct{ target, want string }{
		{target + "?dial_timout=1s", `unknown parameter "dial_timout"`},
		{"redis://milter:S3cretPw@127.0.0.1:1/0?dial_timeout=2s", "redis://milter:xxxxx@127.0.0.1:1/0"},
		{"redis://127.0.0.1:1/x", "invalid database number"},
		{"redis://u:S3cretPw@[::1/0", "does not parse"},
	} {
		s, err := Open(ctx, tc.target, Options{Name: "t"})
		if err == nil {
			s.Close()
			t.Errorf("Open(%s) succeeded", dsn.Redact(tc.target))
			continue
		}
		if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "S3cretPw") {
			t.Errorf("Open(%s): %v; want it to say %q and never the password", dsn.Redact(tc.target), err, tc.want)
		}
	}
	if _, err := Open(ctx, target, Options{Name: "Bad-Name"}); err == nil {
		t.Error("a bad store name was accepted")
	}
}

// A server that goes away (refused, then silent): calls fail within their
// deadline, nothing is applied twice, and the same store works again once
// the server is back.
func TestRedisOutageAndRecovery(t *testing.T) {
	target, p := redistest.ProxyURL(t)
	outageAndRecovery(t, openT(t, target, Options{Name: "t"}), p)
}

// TestRedisValuesAsStrings: the Add script returns values past 2^53 as
// strings; values reads both forms.
func TestRedisValuesAsStrings(t *testing.T) {
	s := openT(t, redistest.URL(t), Options{Name: "t"})
	for _, v := range []int64{1 << 53, -(1 << 53), 1<<62 + 1} {
		k := "v" + strconv.FormatInt(v, 10)
		if got := mustAdd(t, s, inc(k, v, time.Minute)); got[0] != v {
			t.Errorf("Add(%d) = %d", v, got[0])
		}
	}
	if _, err := s.Add(bg, []counter.Inc{inc("x", 1, time.Minute)}); errors.Is(err, counter.ErrOverflow) {
		t.Error("a plain Add reported an overflow")
	}
}
