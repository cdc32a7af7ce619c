package registry

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"milter91/internal/pgtest"
)

// t0 is the injected clock's origin in all tests.
var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

const (
	adv  = "example.com"
	adv2 = "example.org"
	rcpt = "user@example.net"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// backend makes fresh, empty databases of one kind: the contract tests
// run once per backend and must pass on both.
type backend struct {
	name string
	// target returns the Open target of a new, empty database.
	target func(testing.TB) string
}

var backends = []backend{
	{name: "sqlite", target: func(t testing.TB) string { return filepath.Join(t.TempDir(), "registry.db") }},
	{name: "postgres", target: pgtest.DSN},
}

// forEachBackend runs fn as one subtest per backend.
func forEachBackend(t *testing.T, fn func(t *testing.T, b backend)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { fn(t, b) })
	}
}

// openStore opens a Store on a new, empty database of b.
func (b backend) openStore(t testing.TB) *Store {
	t.Helper()
	return openAt(t, b.target(t))
}

// openAt opens a Store on target, closed when t ends.
func openAt(t testing.TB, target string) *Store {
	t.Helper()
	s, err := Open(context.Background(), target)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func addConsent(t *testing.T, s *Store, c Consent) {
	t.Helper()
	if _, err := s.AddConsent(context.Background(), c); err != nil {
		t.Fatalf("AddConsent(%+v): %v", c, err)
	}
}

func addRefusal(t *testing.T, s *Store, r Refusal) {
	t.Helper()
	if err := s.AddRefusal(context.Background(), r); err != nil {
		t.Fatalf("AddRefusal(%+v): %v", r, err)
	}
}

func recipient(t *testing.T, s *Store, advertiser, addr string, products []string, now time.Time) (consent bool, capacity int, refused bool) {
	t.Helper()
	r, err := s.Recipient(context.Background(), advertiser, addr, products, now)
	if err != nil {
		t.Fatalf("Recipient(%s, %s) at %s: %v", advertiser, addr, now, err)
	}
	return r.Consent, r.Cap, r.Refused
}

// clock is a fixed clock for ReserveSend.
func clock(at time.Time) func() time.Time { return func() time.Time { return at } }

func reserve(t *testing.T, s *Store, advertiser, addr, direction string, capacity int, now time.Time) (int, Reservation) {
	t.Helper()
	n, res, err := s.ReserveSend(context.Background(), advertiser, addr, direction, capacity, clock(now))
	if err != nil {
		t.Fatalf("ReserveSend at %s: %v", now, err)
	}
	return n, res
}
