package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"milter91/decree/stage/setup"
	"milter91/internal/admin"
	"milter91/internal/archive"
	"milter91/internal/pgtest"
	"milter91/internal/registry"
)

// Health reports a failed reload as a detail; the service itself is not
// degraded (the previous config runs).
func TestHealthShowsFailedReload(t *testing.T) {
	d := &daemon{}
	h := d.health(nil)(context.Background())
	if h.Status != admin.HealthOK || h.Details["reload"] != "" {
		t.Fatalf("fresh daemon: %+v", h)
	}
	d.lastReload.Store("failed at 2026-11-29T09:00:00Z, the previous config runs: rules.yml:3:5: unknown field")
	h = d.health(nil)(context.Background())
	if h.Status != admin.HealthOK || h.Details["reload"] == "" {
		t.Errorf("after a failed reload: %+v", h)
	}
	d.lastReload.Store("")
	if h = d.health(nil)(context.Background()); h.Details["reload"] != "" {
		t.Errorf("after a good reload: %+v", h)
	}
}

// Health goes degraded at the first failed registry write (a PostgreSQL
// server cut away) and back to ok when a write works again; the
// milter91_store_up gauge follows the same state.
func TestHealthFollowsRegistryWrites(t *testing.T) {
	ctx := context.Background()
	dsn, proxy := pgtest.ProxyDSN(t)
	s, err := registry.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	if _, err := s.AddConsent(ctx, registry.Consent{Advertiser: "example.com", Recipient: "user@example.net",
		Method: registry.MethodForm, Time: now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	d := &daemon{store: s, regState: &storeState{}}
	reg := setup.NewRegistry(s, d.regState)
	reserve := func(at time.Time) error {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		_, _, err := reg.ReserveSend(ctx, "example.com", "user@example.net", "outbound", 100, at)
		return err
	}
	health := func() admin.Health {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		return d.health(nil)(ctx)
	}
	if err := reserve(now); err != nil {
		t.Fatal(err)
	}
	if h := health(); h.Status != admin.HealthOK || h.Details["registry"] != "ok" {
		t.Fatalf("before: %+v", h)
	}
	proxy.Cut()
	if err := reserve(now.Add(time.Second)); err == nil {
		t.Fatal("ReserveSend worked with the server cut away")
	}
	if h := health(); h.Status != admin.HealthDegraded || !strings.Contains(h.Details["registry"], "writes failing since") {
		t.Errorf("after a failed write: %+v, want degraded", h)
	}
	proxy.Listen()
	if err := reserve(now.Add(2 * time.Second)); err != nil {
		t.Fatalf("after the server is back: %v", err)
	}
	if h := health(); h.Status != admin.HealthOK {
		t.Errorf("after a write worked again: %+v, want ok", h)
	}
}

// Health goes degraded at once when an archive batch fails (a PostgreSQL
// server cut away) and back to ok after the batch is written.
func TestHealthFollowsArchiveWrites(t *testing.T) {
	ctx := context.Background()
	dsn, proxy := pgtest.ProxyDSN(t)
	store, err := archive.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	w := archive.NewWriter(store, archive.WriterOptions{Queue: 10, Batch: 1, Flush: time.Millisecond,
		RetryMin: time.Millisecond, RetryMax: 5 * time.Millisecond, WriteTimeout: 2 * time.Second})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); w.Run(runCtx) }()
	defer func() { stop(); <-done }()
	d := &daemon{}
	arch := &archiver{writer: w, queue: 10}
	health := func() admin.Health { return d.health(arch)(ctx) }
	wait := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	w.Add(archive.Record{Time: time.Now(), QueueID: "Q1", Action: "accept"})
	wait("the first record", func() bool { return w.Stats().Written == 1 })
	if h := health(); h.Status != admin.HealthOK {
		t.Fatalf("before: %+v", h)
	}
	proxy.Cut()
	w.Add(archive.Record{Time: time.Now(), QueueID: "Q2", Action: "accept"})
	wait("a failed batch", func() bool { return w.Stats().FailedBatches > 0 })
	if h := health(); h.Status != admin.HealthDegraded || !strings.Contains(h.Details["archive"], "writes failing") {
		t.Errorf("after a failed batch: %+v, want degraded", h)
	}
	proxy.Listen()
	wait("the second record", func() bool { return w.Stats().Written == 2 })
	if h := health(); h.Status != admin.HealthOK {
		t.Errorf("after the batch was written: %+v, want ok", h)
	}
}

// A registry whose reads work but whose writes fail (its SQLite file
// deleted: reads still see the unlinked file) is degraded too.
func TestHealthShowsRegistryWriteFailureWithReadsWorking(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "registry.db")
	s, err := registry.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d := &daemon{store: s, regState: &storeState{}}
	reg := setup.NewRegistry(s, d.regState)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := reg.RecordRefusalMailboxes(ctx, "example.com", "user@example.net", []string{"unsubscribe@example.com"}, time.Now()); err == nil {
		t.Fatal("a write to the deleted file worked")
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v (the test wants reads working)", err)
	}
	if h := d.health(nil)(ctx); h.Status != admin.HealthDegraded || !strings.Contains(h.Details["registry"], "database file changed") {
		t.Errorf("health %+v, want degraded naming the write failure", h)
	}
}
