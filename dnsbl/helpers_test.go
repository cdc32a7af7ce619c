package dnsbl_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"milter91/dnsbl"
	"milter91/internal/resolver"
)

// hookResolver answers LookupA with hook; the other lookups are never used.
type hookResolver struct {
	*resolver.Fake
	hook func(ctx context.Context, name string) ([]netip.Addr, error)
}

func (h hookResolver) LookupA(ctx context.Context, name string) ([]netip.Addr, error) {
	return h.hook(ctx, name)
}

func newHook(hook func(ctx context.Context, name string) ([]netip.Addr, error)) hookResolver {
	return hookResolver{Fake: &resolver.Fake{}, hook: hook}
}

func compile(t *testing.T, configs ...dnsbl.ZoneConfig) []*dnsbl.Zone {
	t.Helper()
	zones, err := dnsbl.Compile(configs)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return zones
}

func addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, 0, len(ss))
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

// fakeClock is an injected clock for Checker tests.
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time          { return c.t }
func (c *fakeClock) Advance(d time.Duration) { c.t = c.t.Add(d) }
