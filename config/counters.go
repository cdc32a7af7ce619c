package config

import (
	"fmt"
	"time"

	"milter91/internal/ratelimit"
)

// Counters configures the shared counter store (internal/counter): the
// outbound rate limits' counts and the marks that count each message once.
type Counters struct {
	// Store is a SQLite file (one host), a PostgreSQL URL or DSN (a few
	// hosts) or a redis://, rediss://, valkey:// or unix:// URL (fleets);
	// "" keeps the counters in this process's memory (one daemon, lost on
	// restart).
	Store string
	// MaxRows caps a SQL store's counters (the soonest-expiring go first);
	// Redis is bounded by its own maxmemory.
	MaxRows int
	// OnceWindow is how long a counted message is remembered, so that the
	// same message sent again counts once (internal/dedup).
	OnceWindow time.Duration
}

type rawCounters struct {
	Store      string `yaml:"store"`
	MaxRows    number `yaml:"max_rows"`
	OnceWindow string `yaml:"once_window"`
}

type rawRateLimit struct {
	Name   string `yaml:"name"`
	Scope  string `yaml:"scope"`
	Unit   string `yaml:"unit"`
	Count  number `yaml:"count"`
	Window string `yaml:"window"`
	Burst  number `yaml:"burst"`
}

// Bounds of the counter settings.
const (
	maxCounterRows = 1_000_000_000
	maxOnceWindow  = 31 * 24 * time.Hour
	maxRateLimits  = 64
)

func (v *validator) counters(c *Config, r *rawCounters) {
	c.Counters = Counters{
		Store:      r.Store,
		MaxRows:    v.count("$.counters.max_rows", r.MaxRows, 0, maxCounterRows),
		OnceWindow: v.duration("$.counters.once_window", r.OnceWindow, time.Minute, maxOnceWindow),
	}
}

// rateLimits checks the rate_limits list: each a ratelimit.Limit, names
// unique.
func (v *validator) rateLimits(c *Config, list []rawRateLimit) {
	if len(list) > maxRateLimits {
		v.fail("$.rate_limits", "rate_limits: %d limits, at most %d", len(list), maxRateLimits)
		return
	}
	seen := map[string]bool{}
	for i, r := range list {
		at := fmt.Sprintf("$.rate_limits[%d]", i)
		burst := 0
		if r.Burst != "" {
			burst = v.count(at+".burst", r.Burst, 0, ratelimit.MaxCount)
		}
		l := ratelimit.Limit{Name: r.Name, Scope: ratelimit.Scope(r.Scope), Unit: ratelimit.Unit(r.Unit),
			Count: int64(v.count(at+".count", r.Count, 1, ratelimit.MaxCount)), Burst: int64(burst)}
		if r.Unit == "" {
			l.Unit = ratelimit.Messages
		}
		l.Window = v.duration(at+".window", r.Window, time.Second, ratelimit.MaxWindow)
		if l.Count == 0 || l.Window == 0 {
			continue // reported
		}
		if err := l.Check(); err != nil {
			v.fail(at, "rate_limits[%d]: %v", i, err)
			continue
		}
		if seen[l.Name] {
			v.fail(at+".name", "rate_limits[%d]: a second limit named %q", i, l.Name)
			continue
		}
		seen[l.Name] = true
		c.RateLimits = append(c.RateLimits, l)
	}
}
