// Package resolver is the one DNS resolver every check uses: explicit
// nameservers, per-query timeout and retries, UDP with TCP fallback, a TTL
// cache, merged identical in-flight queries and a per-message query count.
//
// Errors follow the net package conventions so that libraries written for
// net.Resolver (blitiri.com.ar/go/spf) classify them correctly: every lookup
// error is a *net.DNSError with IsNotFound set for NXDOMAIN and NODATA, and
// IsTemporary/IsTimeout set for timeouts and SERVFAIL.
package resolver

import (
	"context"
	"net"
	"net/netip"
	"sync/atomic"
)

// Resolver is the lookup interface the checks depend on. It is a superset of
// spf.DNSResolver. Implementations must be safe for concurrent use.
type Resolver interface {
	// LookupTXT returns the TXT records of name, each record's strings
	// concatenated (RFC 7208 §3.3).
	LookupTXT(ctx context.Context, name string) ([]string, error)
	// LookupMX returns the MX records of name.
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	// LookupIPAddr returns the A and AAAA records of host.
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
	// LookupAddr returns the PTR names of addr (an IP address literal).
	LookupAddr(ctx context.Context, addr string) ([]string, error)
	// LookupA returns only the A records of name (DNSBL queries).
	LookupA(ctx context.Context, name string) ([]netip.Addr, error)
}

// Counter counts the DNS queries sent on the network for one message.
// The zero value is ready to use.
type Counter struct{ n atomic.Int64 }

// Add records n queries.
func (c *Counter) Add(n int64) { c.n.Add(n) }

// Load returns the count so far.
func (c *Counter) Load() int64 { return c.n.Load() }

type counterKey struct{}

// WithCounter returns a context whose lookups are counted in c.
func WithCounter(ctx context.Context, c *Counter) context.Context {
	return context.WithValue(ctx, counterKey{}, c)
}

// freshKey marks a context whose lookups must not be answered from the
// cache.
type freshKey struct{}

// WithFresh returns ctx whose lookups go to the network even when the
// cache holds an answer (the fresh answer then replaces it), as a health
// check needs: a cached answer says what the zone said, not what it says.
func WithFresh(ctx context.Context) context.Context {
	return context.WithValue(ctx, freshKey{}, true)
}

// IsFresh reports whether ctx was made by WithFresh.
func IsFresh(ctx context.Context) bool {
	fresh, _ := ctx.Value(freshKey{}).(bool)
	return fresh
}

// CounterFrom returns the counter attached by WithCounter, or nil.
func CounterFrom(ctx context.Context) *Counter {
	c, _ := ctx.Value(counterKey{}).(*Counter)
	return c
}

// IsTemporary reports whether err is a DNS error that may succeed on retry
// (timeout, SERVFAIL, network error): a temperror fact, not a result.
func IsTemporary(err error) bool {
	var de *net.DNSError
	if ok := asDNSError(err, &de); ok {
		return de.IsTemporary || de.IsTimeout
	}
	return err != nil
}

// IsNotFound reports whether err means NXDOMAIN or NODATA.
func IsNotFound(err error) bool {
	var de *net.DNSError
	return asDNSError(err, &de) && de.IsNotFound
}
