package main

import (
	"context"
	"testing"

	"milter91/admin"
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
