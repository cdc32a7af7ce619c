package counterstore

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/valkey-io/valkey-go"

	"milter91/internal/counter"
	"milter91/internal/dsn"
)

// Redis is a Store on a Valkey or Redis (7.0 or later) server, through
// valkey-go: each counter is a string key "milter91:NAME:" + Inc.Key
// holding the decimal value, with the counter's expiry as the key's own
// (PEXPIREAT, Unix milliseconds of the store's clock), so that the server
// drops expired counters itself.
//
// An Add is one Lua script over all its keys (atomic: the server runs
// nothing else meanwhile; one round trip however many keys), a Get one
// read-only script. Expiry is judged by the store's clock, passed to each
// script, not by the server's: one rule for every backend, and a clock
// that tests can move. valkey-go pipelines the calls of concurrent
// goroutines on shared connections. A script is never retried by the
// client after a network error (it may have run); a Get is.
//
// A Redis Cluster is refused: one script's keys must live on one node.
// Memory is bounded by the TTLs and by the server's maxmemory; with an
// eviction policy other than noeviction the server may drop live counters
// (volatile-ttl drops those expiring soonest, as the SQL cap does).
type Redis struct {
	c      valkey.Client
	name   string // the URL, password masked
	prefix string
	now    func() time.Time
}

var _ counter.Backend = (*Redis)(nil)

var (
	//go:embed lua/add.lua
	addLua    string
	addScript = valkey.NewLuaScript(addLua)
	//go:embed lua/get.lua
	getLua    string
	getScript = valkey.NewLuaScriptReadOnly(getLua)
)

// redisParams are the query parameters valkey-go's ParseURL reads; any
// other is refused, so that a misspelt one is not silently ignored.
var redisParams = map[string]bool{
	"db": true, "dial_timeout": true, "write_timeout": true, "addr": true, "skip_verify": true,
	"protocol": true, "client_cache": true, "max_retries": true, "client_name": true, "master_set": true,
}

func openRedis(ctx context.Context, target string, opt Options) (*Redis, error) {
	name := dsn.Redact(target)
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("counter store %s: the URL does not parse", name)
	}
	for p := range u.Query() {
		if !redisParams[p] {
			return nil, fmt.Errorf("counter store %s: unknown parameter %q", name, p)
		}
	}
	copt, err := valkey.ParseURL(target)
	if err != nil {
		return nil, fmt.Errorf("counter store %s: %v", name, scrubRedis(err, u))
	}
	copt.DisableCache = true // no client-side caching: every node must see every Add
	c, err := valkey.NewClient(copt)
	if err != nil {
		return nil, fmt.Errorf("counter store %s: %v", name, scrubRedis(err, u))
	}
	s := &Redis{c: c, name: name, prefix: "milter91:" + opt.Name + ":", now: opt.Now}
	if err := s.suitable(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return s, nil
}

// suitable refuses a Cluster and a server without PEXPIRETIME (Redis
// before 7.0).
func (s *Redis) suitable(ctx context.Context) error {
	if s.c.Mode() == valkey.ClientModeCluster {
		return fmt.Errorf("counter store %s: a Redis Cluster is not supported (one Add's keys must be on one node)", s.name)
	}
	info, err := s.c.Do(ctx, s.c.B().CommandInfo().CommandName("pexpiretime").Build()).ToArray()
	if err != nil {
		return s.wrap(err)
	}
	if len(info) != 1 || info[0].IsNil() {
		return fmt.Errorf("counter store %s: the server lacks PEXPIRETIME: Valkey, or Redis 7.0 or later, is needed", s.name)
	}
	return nil
}

// Add implements Store.
func (s *Redis) Add(ctx context.Context, incs []counter.Inc) ([]int64, error) {
	if err := counter.Check(incs); err != nil {
		return nil, err
	}
	if len(incs) == 0 {
		return []int64{}, ctx.Err()
	}
	now := s.now()
	keys := make([]string, len(incs))
	args := make([]string, 1+2*len(incs))
	args[0] = strconv.FormatInt(now.UnixMilli(), 10)
	for i, in := range incs {
		keys[i] = s.prefix + in.Key
		args[1+i] = strconv.FormatInt(in.Delta, 10)
		args[1+len(incs)+i] = strconv.FormatInt(counter.ExpiryMS(now, in.TTL), 10)
	}
	vals, err := addScript.Exec(ctx, s.c, keys, args).ToArray()
	if err != nil {
		return nil, s.wrap(err)
	}
	return s.values(vals, len(incs))
}

// Get implements Store.
func (s *Redis) Get(ctx context.Context, keys []string) ([]int64, error) {
	out := make([]int64, len(keys))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	want := queryable(keys)
	if len(want) == 0 {
		return out, nil
	}
	full := make([]string, len(want))
	for i, k := range want {
		full[i] = s.prefix + k
	}
	msgs, err := getScript.Exec(ctx, s.c, full, []string{strconv.FormatInt(s.now().UnixMilli(), 10)}).ToArray()
	if err != nil {
		return nil, s.wrap(err)
	}
	vals, err := s.values(msgs, len(want))
	if err != nil {
		return nil, err
	}
	found := make(map[string]int64, len(want))
	for i, k := range want {
		found[k] = vals[i]
	}
	for i, k := range keys {
		out[i] = found[k]
	}
	return out, nil
}

// values reads a script's reply of n integers (as numbers or strings).
func (s *Redis) values(msgs []valkey.ValkeyMessage, n int) ([]int64, error) {
	if len(msgs) != n {
		return nil, fmt.Errorf("counter store %s: %d values for %d counters", s.name, len(msgs), n)
	}
	out := make([]int64, n)
	for i := range msgs {
		v, err := msgs[i].AsInt64()
		if err != nil {
			return nil, fmt.Errorf("counter store %s: counter %d: %w", s.name, i, err)
		}
		out[i] = v
	}
	return out, nil
}

// Ping implements Backend.
func (s *Redis) Ping(ctx context.Context) error {
	return s.wrap(s.c.Do(ctx, s.c.B().Ping().Build()).Error())
}

// Maintain implements Backend: nothing to do, the server expires keys
// itself and its maxmemory bounds them.
func (s *Redis) Maintain(ctx context.Context) (counter.Upkeep, error) {
	return counter.Upkeep{Rows: -1}, ctx.Err()
}

// Name implements Backend.
func (s *Redis) Name() string { return s.name }

// Close implements Store.
func (s *Redis) Close() error {
	s.c.Close()
	return nil
}

// wrap names the store in err; an overflow in the script is ErrOverflow.
func (s *Redis) wrap(err error) error {
	switch {
	case err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return err
	case strings.Contains(err.Error(), "would overflow"):
		return fmt.Errorf("%w: %v", counter.ErrOverflow, err)
	}
	return fmt.Errorf("counter store %s: %w", s.name, err)
}

// scrubRedis masks the URL's password in an error text.
func scrubRedis(err error, u *url.URL) error {
	pw, ok := u.User.Password()
	if !ok || pw == "" || !strings.Contains(err.Error(), pw) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), pw, mask))
}

const mask = "xxxxx"
