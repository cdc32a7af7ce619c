// Package counterstore opens the shared counter stores behind the
// counter.Store interface: a SQLite file (one host) or a PostgreSQL
// database (a few hosts) through internal/sqldb, or a Valkey/Redis server
// (fleets) through valkey-go. Open picks one from its target; one contract
// test suite holds Mem and the three to the same behaviour.
package counterstore

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"milter91/internal/counter"
	"milter91/internal/dsn"
)

// Options configure Open.
type Options struct {
	// Name is the set of counters, so that uses with different lifetimes
	// and caps share a database without sharing a table: 1 to 32 of a-z,
	// 0-9 and _, starting with a letter ("ratelimit", "bayes"). SQL: the
	// table counter_NAME; Redis: keys under "milter91:NAME:".
	Name string
	// MaxRows caps a SQL store's counters (0: no cap): Maintain evicts the
	// soonest-expiring beyond it. Redis ignores it: there the server's
	// maxmemory and its eviction policy bound memory.
	MaxRows int64
	// Now is the clock expiry is judged by (time.Now when nil): every node
	// sharing a store needs one clock (NTP), to well under the shortest
	// TTL.
	Now func() time.Time
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

func (o *Options) check() error {
	if !nameRE.MatchString(o.Name) {
		return fmt.Errorf("counter store name %q: want 1 to 32 of a-z, 0-9 and _, starting with a letter", o.Name)
	}
	if o.MaxRows < 0 {
		return fmt.Errorf("counter store %s: MaxRows %d is negative", o.Name, o.MaxRows)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return nil
}

// Open opens the counter store target names:
//   - redis://[USER:PASSWORD@]HOST:PORT/DB, rediss://… (TLS), valkey://…,
//     valkeys://…, unix:///PATH?db=DB: a Valkey (any version) or Redis (7.0
//     or later) server, not a Cluster; query parameters as valkey-go's
//     ParseURL reads them (dial_timeout, write_timeout, client_name,
//     protocol, skip_verify, master_set and addr for Sentinel);
//   - postgres://… or a libpq key=value DSN: a PostgreSQL database
//     (internal/sqldb);
//   - anything else: a SQLite file, created when missing.
//
// The SQL stores create or migrate their table at open. Errors: bad
// options, an unreachable or unsuitable server (within ctx), with
// passwords masked.
func Open(ctx context.Context, target string, opt Options) (counter.Backend, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	if dsn.IsRedis(target) {
		return openRedis(ctx, target, opt)
	}
	return openSQL(ctx, target, opt)
}
