package main

import (
	"context"
	"log/slog"
	"time"

	"milter91/config"
	"milter91/decree/stage"
	"milter91/internal/admin"
	"milter91/internal/counter"
	"milter91/internal/counterstore"
	"milter91/internal/dedup"
	"milter91/internal/ratelimit"
	"milter91/internal/txn"
)

// counterSet is the name of the daemon's counters in the store (the
// SQL table counter_counters, the Redis keys milter91:counters:…); the
// rate limits' keys start "rl:", the counted-once marks "q:" and "m:".
const counterSet = "counters"

// maintainEvery is how often expired counters are removed.
const maintainEvery = 5 * time.Minute

// counterCallTimeout bounds one counter store call: a store that hangs
// costs a message at most this (it then passes uncounted), never its
// message_deadline and the fail mode.
const counterCallTimeout = 2 * time.Second

// openCounters opens the counter store when something counts: rate
// limits, or the Decree 91/2020 registry (its 24 h cap counts each
// message once); nil otherwise. No counters.store keeps them in memory.
func openCounters(cfg *config.Config) (counter.Backend, error) {
	registry := cfg.Decree.Enabled && cfg.Decree.Registry != ""
	if len(cfg.RateLimits) == 0 && !registry {
		return nil, nil
	}
	if cfg.Counters.Store == "" {
		return counter.NewMem(nil), nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return counterstore.Open(ctx, cfg.Counters.Store, counterstore.Options{Name: counterSet, MaxRows: int64(cfg.Counters.MaxRows)})
}

// watchedStore bounds every call by counterCallTimeout and reports its
// outcome to the store's state, for /v1/health and
// milter91_store_up{store="counters"}.
type watchedStore struct {
	counter.Store
	state *storeState
}

func (w watchedStore) Add(ctx context.Context, incs []counter.Inc) ([]int64, error) {
	call, cancel := context.WithTimeout(ctx, counterCallTimeout)
	defer cancel()
	v, err := w.Store.Add(call, incs)
	w.note(ctx, err, true)
	return v, err
}

func (w watchedStore) Get(ctx context.Context, keys []string) ([]int64, error) {
	call, cancel := context.WithTimeout(ctx, counterCallTimeout)
	defer cancel()
	v, err := w.Store.Get(call, keys)
	w.note(ctx, err, false)
	return v, err
}

// note records a call's outcome; the end of the message's own deadline
// (ctx, the caller's) is not the store's failure.
func (w watchedStore) note(ctx context.Context, err error, write bool) {
	if ctx.Err() != nil && err != nil {
		return
	}
	if err == nil && !write {
		return
	}
	w.state.wrote(err)
	w.state.count(err)
}

// counting builds what the engine counts with: the rate limits, the
// counted-once marks and the direction that decides what is outbound;
// all nil without a store (milter91 check: nothing is counted).
func counting(cfg *config.Config, store counter.Store, state *storeState) (*ratelimit.Limiter, *dedup.Once, func(*txn.Transaction) bool, error) {
	if store == nil {
		return nil, nil, nil, nil
	}
	if state != nil {
		store = watchedStore{Store: store, state: state}
	}
	var limits *ratelimit.Limiter
	if len(cfg.RateLimits) > 0 {
		l, err := ratelimit.New(store, cfg.RateLimits, nil)
		if err != nil {
			return nil, nil, nil, err
		}
		limits = l
	}
	d := cfg.Decree
	dirs := stage.Directions{Default: d.DefaultDirection, Authenticated: d.OutboundAuthenticated,
		Listeners: d.OutboundListeners, DaemonNames: d.OutboundDaemonNames}
	outbound := func(t *txn.Transaction) bool { return dirs.Of(t) == txn.DirectionOutbound }
	return limits, dedup.New(store, cfg.Counters.OnceWindow), outbound, nil
}

// maintainLoop removes expired counters every maintainEvery until ctx
// ends.
func maintainLoop(ctx context.Context, s counter.Backend, log *slog.Logger) {
	tick := time.NewTicker(maintainEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		up, err := s.Maintain(ctx)
		if err != nil {
			log.Error("counter store upkeep failed", "store", s.Name(), "error", err.Error())
			continue
		}
		log.Debug("counter store upkeep", "expired", up.Expired, "evicted", up.Evicted, "rows", up.Rows)
	}
}

// countersHealth: degraded while the counter store's calls fail or it
// does not answer a ping.
func (d *daemon) countersHealth(ctx context.Context, h *admin.Health) {
	if up, detail := d.ctrState.status(); !up {
		h.Status, h.Details["counters"] = admin.HealthDegraded, detail
		return
	}
	if err := d.counters.Ping(ctx); err != nil {
		h.Status, h.Details["counters"] = admin.HealthDegraded, err.Error()
		return
	}
	h.Details["counters"] = "ok"
}
