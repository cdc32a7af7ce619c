package registry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"milter91/internal/pgtest"
	"milter91/internal/sqldb"
	"milter91/internal/txn"
)

// returnsBy runs fn and fails the test if it has not returned by limit:
// a call stuck past its context deadline would hang a milter thread.
func returnsBy(t *testing.T, limit time.Duration, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("call still running %s after it started", limit)
	}
}

// A PostgreSQL server that becomes unreachable makes Recipient,
// ReserveSend and Ping fail within their context (no panic, no hang, no
// send recorded), and the same Store works again once the server is back.
func TestPostgresOutageAndRecovery(t *testing.T) {
	dsn, p := pgtest.ProxyDSN(t)
	s := openAt(t, dsn)
	addConsent(t, s, Consent{Advertiser: adv, Recipient: rcpt, Method: MethodForm, Time: t0.Add(-time.Hour)})
	sent := 0
	// use runs Recipient and ReserveSend, each with its own timeout, and
	// checks what they return when they succeed.
	use := func(timeout time.Duration, at time.Time) (recErr, resErr error) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		r, recErr := s.Recipient(ctx, adv, rcpt, nil, at)
		cancel()
		if recErr == nil && !r.Consent {
			recErr = errors.New("consent not found")
		}
		ctx, cancel = context.WithTimeout(context.Background(), timeout)
		n, res, resErr := s.ReserveSend(ctx, adv, rcpt, txn.DirectionOutbound, 100, clock(at))
		cancel()
		if resErr == nil && (n != sent || !res.Reserved()) {
			resErr = fmt.Errorf("sentBefore=%d reserved=%v, want %d true", n, res.Reserved(), sent)
		}
		if res.Reserved() {
			sent++
		}
		return recErr, resErr
	}
	if recErr, resErr := use(30*time.Second, t0); recErr != nil || resErr != nil {
		t.Fatalf("before the outage: %v; %v", recErr, resErr)
	}
	ping := func(timeout time.Duration) error {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		return s.Ping(ctx)
	}
	outages := []struct {
		name  string
		start func()
	}{
		{name: "connection refused", start: p.Cut},
		{name: "server silent", start: p.Hush},
	}
	const deadline = 2 * time.Second
	for i, o := range outages {
		o.start()
		at := t0.Add(time.Duration(i+1) * time.Minute)
		returnsBy(t, 2*deadline+10*time.Second, func() {
			recErr, resErr := use(deadline, at)
			if recErr == nil || resErr == nil {
				t.Errorf("%s: Recipient %v, ReserveSend %v; want both to fail", o.name, recErr, resErr)
			}
			t.Logf("%s: Recipient: %v; ReserveSend: %v", o.name, recErr, resErr)
			if err := ping(deadline); err == nil {
				t.Errorf("%s: Ping succeeded", o.name)
			}
		})
		p.Cut()
		p.Listen()
		if recErr, resErr := use(30*time.Second, at.Add(time.Second)); recErr != nil || resErr != nil {
			t.Errorf("%s, recovered: Recipient %v; ReserveSend %v; want both to work", o.name, recErr, resErr)
		}
		if err := ping(30 * time.Second); err != nil {
			t.Errorf("%s, recovered: Ping: %v", o.name, err)
		}
	}
}

// The SQLite file deleted under a running registry: a send reservation
// and a refusal capture fail (sqldb.ErrFileChanged) instead of being
// recorded into the unlinked file, so that ads wait (the rules'
// registry_unavailable) rather than pass uncounted.
func TestSQLiteFileDeletedWritesFail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "registry.db")
	s := openAt(t, path)
	addConsent(t, s, Consent{Advertiser: adv, Recipient: rcpt, Method: MethodForm, Time: t0.Add(-time.Hour)})
	ctx := context.Background()
	if _, _, err := s.ReserveSend(ctx, adv, rcpt, txn.DirectionOutbound, 3, clock(t0)); err != nil {
		t.Fatalf("before: %v", err)
	}
	if err := s.RecordRefusalMailboxes(ctx, adv, rcpt, []string{"unsubscribe@example.com"}, t0); err != nil {
		t.Fatalf("before: %v", err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, res, err := s.ReserveSend(ctx, adv, rcpt, txn.DirectionOutbound, 3, clock(t0.Add(time.Second))); !errors.Is(err, sqldb.ErrFileChanged) {
		t.Errorf("ReserveSend after the deletion: reserved %v, %v; want ErrFileChanged", res.Reserved(), err)
	}
	if _, err := s.CaptureRefusal(ctx, rcpt, "unsubscribe@example.com", t0.Add(time.Second)); !errors.Is(err, sqldb.ErrFileChanged) {
		t.Errorf("CaptureRefusal after the deletion: %v; want ErrFileChanged", err)
	}
}
