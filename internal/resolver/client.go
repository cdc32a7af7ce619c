package resolver

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/miekg/dns"
)

// ednsSize is the UDP payload size we advertise: the DNS Flag Day 2020
// value, which avoids IP fragmentation on common paths (RFC 6891 §6.2.5).
const ednsSize = 1232

// Client is the network Resolver: explicit nameservers, UDP with TCP
// fallback, retries over the servers in turn, a TTL cache and merged
// identical in-flight queries. It is safe for concurrent use.
type Client struct {
	cfg      settings
	cache    *cache // nil when disabled
	flight   flight
	udp      *dns.Client
	tcp      *dns.Client
	queries  atomic.Int64
	hits     atomic.Int64
	timeouts atomic.Int64
}

var _ Resolver = (*Client)(nil)

// New returns a Client for cfg. It returns an error when cfg has no
// server, a server that is not "IP[:PORT]", a negative duration or MinTTL
// above MaxTTL.
func New(cfg Config) (*Client, error) {
	s, err := cfg.settle()
	if err != nil {
		return nil, err
	}
	c := &Client{
		cfg: s,
		udp: &dns.Client{Net: "udp", Timeout: s.timeout, UDPSize: ednsSize},
		tcp: &dns.Client{Net: "tcp", Timeout: s.timeout},
	}
	if s.cacheSize > 0 && s.cacheBytes > 0 {
		c.cache = newCache(s.cacheSize, s.cacheBytes)
	}
	return c, nil
}

// Stats returns, since New, the number of DNS messages sent on the network
// (each attempt and each TCP retry counts) and the number of lookups
// answered from the cache.
func (c *Client) Stats() (queries, cacheHits int64) {
	return c.queries.Load(), c.hits.Load()
}

// Timeouts returns, since New, the number of attempts that got no answer
// within the per-attempt timeout (Config.Timeout).
func (c *Client) Timeouts() int64 { return c.timeouts.Load() }

// Servers returns the nameservers in the order attempts use them, as
// "IP:PORT" ("[IPv6]:PORT"), for logs.
func (c *Client) Servers() []string { return slices.Clone(c.cfg.servers) }

// resolve is the path of every lookup: the cache, else the network query
// for (name, qtype), merged with an identical one already in flight. The
// network part runs detached from ctx (see fetch) so that a caller giving
// up still fills the cache; the caller itself waits at most until ctx ends.
func (c *Client) resolve(ctx context.Context, name string, qtype uint16) result {
	key := cacheKey{name: strings.ToLower(strings.TrimSuffix(name, ".")), qtype: qtype}
	fresh := IsFresh(ctx)
	if r, ok := c.cached(key); ok && !fresh {
		return r
	}
	if err := ctx.Err(); err != nil {
		return contextResult(err)
	}
	call := c.flight.join(key, func() result {
		// A call that finished between our cache miss and join has
		// filled the cache already.
		if r, ok := c.cached(key); ok && !fresh {
			return r
		}
		return c.fetch(ctx, key)
	})
	select {
	case <-call.done:
		return call.res
	case <-ctx.Done():
		return contextResult(ctx.Err())
	}
}

// cached returns the valid cache entry for key, counting the hit.
func (c *Client) cached(key cacheKey) (result, bool) {
	if c.cache == nil {
		return result{}, false
	}
	r, ok := c.cache.get(key, c.cfg.now())
	if ok {
		c.hits.Add(1)
	}
	return r, ok
}

// contextResult is the temporary failure of a caller whose ctx ended.
func contextResult(err error) result {
	return result{reason: err.Error(), timeout: errors.Is(err, context.DeadlineExceeded)}
}

// wireName returns the absolute query name for a cache key name in the
// escaped form miekg/dns gives names read from the wire, so that answer
// owner names compare equal. ok is false for a name that cannot exist on
// the wire (empty, empty label, label over 63 or name over 255 bytes;
// RFC 1035 §2.3.4): like net.Resolver, we answer those "not found".
func wireName(key string) (string, bool) {
	if key == "" {
		return "", false
	}
	buf := make([]byte, 256)
	n, err := dns.PackDomainName(key+".", buf, 0, nil, false)
	if err != nil {
		return "", false
	}
	name, _, err := dns.UnpackDomainName(buf[:n], 0)
	return name, err == nil
}
