package resolver

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/miekg/dns"
)

// Defaults for the zero fields of Config.
const (
	DefaultTimeout     = 2 * time.Second
	DefaultRetries     = 2
	DefaultCacheSize   = 10000
	DefaultCacheBytes  = 32 << 20
	DefaultMaxTTL      = time.Hour
	DefaultNegativeTTL = 60 * time.Second
	defaultPort        = "53"
)

// Config configures a Client. Zero fields take the documented defaults.
type Config struct {
	// Servers are the recursive nameservers, "IP:PORT" or "IP" (port 53);
	// IPv6 as "[::1]:53" or "::1". Host names are refused: resolving the
	// resolver's own servers would need another resolver. Required.
	Servers []string
	// Timeout bounds one query attempt, UDP and its TCP fallback together
	// (default 2s).
	Timeout time.Duration
	// Retries is the number of further attempts after the first, each on
	// the next server in turn: 0 means the default 2, a negative value
	// means a single attempt.
	Retries int
	// CacheSize bounds the cache in entries (one per name and type):
	// 0 means the default 10000, a negative value disables the cache.
	CacheSize int
	// CacheBytes bounds the cache's memory: the bytes of the cached
	// names, records and strings plus a fixed cost per entry. An answer
	// over 1/16 of it is not cached. 0 means the default 32 MiB, a
	// negative value disables the cache.
	CacheBytes int64
	// MinTTL and MaxTTL clamp every cache lifetime, positive and negative
	// (defaults 0 and 1h; MaxTTL 0 means the default).
	MinTTL, MaxTTL time.Duration
	// NegativeTTL is the cache lifetime of an NXDOMAIN or NODATA answer
	// that carries no SOA record (RFC 2308 §5 needs the SOA; default 60s).
	NegativeTTL time.Duration
	// Now is the clock of the cache, for tests; nil means time.Now.
	Now func() time.Time
}

// settings is a validated Config with defaults applied.
type settings struct {
	servers     []string
	timeout     time.Duration
	attempts    int
	cacheSize   int   // <= 0: no cache
	cacheBytes  int64 // <= 0: no cache
	minTTL      time.Duration
	maxTTL      time.Duration
	negativeTTL time.Duration
	now         func() time.Time
}

// settle validates cfg and fills in the defaults.
func (cfg Config) settle() (settings, error) {
	s := settings{
		timeout: cfg.Timeout, attempts: 1 + cfg.Retries, cacheSize: cfg.CacheSize, cacheBytes: cfg.CacheBytes,
		minTTL: cfg.MinTTL, maxTTL: cfg.MaxTTL, negativeTTL: cfg.NegativeTTL, now: cfg.Now,
	}
	if len(cfg.Servers) == 0 {
		return s, errors.New("resolver: no servers configured")
	}
	for _, srv := range cfg.Servers {
		addr, err := serverAddr(srv)
		if err != nil {
			return s, err
		}
		s.servers = append(s.servers, addr)
	}
	if cfg.Timeout < 0 || cfg.MinTTL < 0 || cfg.MaxTTL < 0 || cfg.NegativeTTL < 0 {
		return s, errors.New("resolver: negative Timeout, MinTTL, MaxTTL or NegativeTTL")
	}
	if s.timeout == 0 {
		s.timeout = DefaultTimeout
	}
	switch {
	case cfg.Retries == 0:
		s.attempts = 1 + DefaultRetries
	case cfg.Retries < 0:
		s.attempts = 1
	}
	if s.cacheSize == 0 {
		s.cacheSize = DefaultCacheSize
	}
	if s.cacheBytes == 0 {
		s.cacheBytes = DefaultCacheBytes
	}
	if s.maxTTL == 0 {
		s.maxTTL = DefaultMaxTTL
	}
	if s.minTTL > s.maxTTL {
		return s, fmt.Errorf("resolver: MinTTL %v above MaxTTL %v", s.minTTL, s.maxTTL)
	}
	if s.negativeTTL == 0 {
		s.negativeTTL = DefaultNegativeTTL
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// serverAddr turns "IP", "IP:PORT", "[IPv6]" or "[IPv6]:PORT" into a dial
// address "IP:PORT" / "[IPv6]:PORT".
func serverAddr(s string) (string, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		host, port = s, defaultPort
		if len(s) > 1 && s[0] == '[' && s[len(s)-1] == ']' {
			host = s[1 : len(s)-1]
		}
	}
	if _, err := netip.ParseAddr(host); err != nil {
		return "", fmt.Errorf("resolver: server %q: not an IP address", s)
	}
	if p, err := strconv.ParseUint(port, 10, 16); err != nil || p == 0 {
		return "", fmt.Errorf("resolver: server %q: bad port %q", s, port)
	}
	return net.JoinHostPort(host, port), nil
}

// ServersFromResolvConf returns the nameservers of a resolv.conf(5) file
// such as /etc/resolv.conf as "IP:PORT" strings for Config.Servers. It
// returns the read or parse error, or an error when the file names no
// nameserver.
func ServersFromResolvConf(path string) ([]string, error) {
	cc, err := dns.ClientConfigFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("resolver: %s: %w", path, err)
	}
	if len(cc.Servers) == 0 {
		return nil, fmt.Errorf("resolver: %s: no nameserver line", path)
	}
	out := make([]string, 0, len(cc.Servers))
	for _, s := range cc.Servers {
		out = append(out, net.JoinHostPort(s, cc.Port))
	}
	return out, nil
}
