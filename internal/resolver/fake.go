package resolver

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
)

// Fake is an in-memory Resolver for unit tests. Names are matched
// case-insensitively, with or without the trailing dot. A name listed in
// Errors fails every lookup with that error (use Temporary or NotFound).
// A name with no record of the asked type answers NotFound.
// Fields may be filled before first use; Queries counts lookups.
type Fake struct {
	TXT    map[string][]string
	A      map[string][]netip.Addr
	AAAA   map[string][]netip.Addr
	MX     map[string][]*net.MX
	PTR    map[string][]string
	Errors map[string]error

	mu      sync.Mutex
	queries int
}

var _ Resolver = (*Fake)(nil)

// Queries returns the number of lookups made so far.
func (f *Fake) Queries() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.queries
}

func norm(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) }

func lookup[T any](ctx context.Context, f *Fake, m map[string][]T, name string) ([]T, error) {
	f.mu.Lock()
	f.queries++
	f.mu.Unlock()
	if c := CounterFrom(ctx); c != nil {
		c.Add(1)
	}
	if err := ctx.Err(); err != nil {
		return nil, Temporary(name, err.Error(), true)
	}
	n := norm(name)
	for k, err := range f.Errors {
		if norm(k) == n {
			return nil, err
		}
	}
	for k, v := range m {
		if norm(k) == n && len(v) > 0 {
			return v, nil
		}
	}
	return nil, NotFound(name)
}

// LookupTXT implements Resolver.
func (f *Fake) LookupTXT(ctx context.Context, name string) ([]string, error) {
	return lookup(ctx, f, f.TXT, name)
}

// LookupMX implements Resolver.
func (f *Fake) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	return lookup(ctx, f, f.MX, name)
}

// LookupA implements Resolver.
func (f *Fake) LookupA(ctx context.Context, name string) ([]netip.Addr, error) {
	return lookup(ctx, f, f.A, name)
}

// LookupIPAddr implements Resolver: A then AAAA records.
func (f *Fake) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	v4, err4 := lookup(ctx, f, f.A, host)
	v6, err6 := lookup(ctx, f, f.AAAA, host)
	if err4 != nil && !IsNotFound(err4) {
		return nil, err4
	}
	if err6 != nil && !IsNotFound(err6) {
		return nil, err6
	}
	var out []net.IPAddr
	for _, a := range append(v4, v6...) {
		out = append(out, net.IPAddr{IP: a.AsSlice()})
	}
	if len(out) == 0 {
		return nil, NotFound(host)
	}
	return out, nil
}

// LookupAddr implements Resolver; PTR keys are IP literals ("192.0.2.1").
func (f *Fake) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	return lookup(ctx, f, f.PTR, addr)
}
