package main

import (
	"context"
	"io"
	"time"

	"milter91/config"
	"milter91/internal/admin"
	"milter91/internal/bayes"
	"milter91/internal/counter"
	"milter91/internal/counterstore"
	"milter91/internal/engine"
)

// classifierState is the content classifier of the running daemon: one
// counter store for the process's life (a reload keeps what was
// learned); each engine gets the Classifier of its config over it.
type classifierState struct {
	store counter.Store
	state *storeState
}

// trackedStore bounds each call by counterCallTimeout (a hung store
// costs a message a bayes temperror, never its message_deadline) and
// reports the store's failures to a storeState, for /v1/health and
// milter91_store_up{store="bayes"}.
type trackedStore struct {
	counter.Store
	state *storeState
}

func (s trackedStore) Add(ctx context.Context, incs []counter.Inc) ([]int64, error) {
	call, cancel := context.WithTimeout(ctx, counterCallTimeout)
	defer cancel()
	v, err := s.Store.Add(call, incs)
	if ctx.Err() == nil {
		s.state.wrote(err)
		s.state.count(err)
	}
	return v, err
}

func (s trackedStore) Get(ctx context.Context, keys []string) ([]int64, error) {
	call, cancel := context.WithTimeout(ctx, counterCallTimeout)
	defer cancel()
	v, err := s.Store.Get(call, keys)
	if ctx.Err() == nil {
		s.state.failed(err)
		s.state.count(err)
	}
	return v, err
}

// memSweep is how often the memory store drops its expired counters.
const memSweep = time.Hour

// openBayesStore opens bayes.store: "memory" keeps the counts in the
// daemon, swept of expired counters every memSweep for the process's
// life; any other value is a counter store (internal/counterstore: a
// SQLite file, a PostgreSQL URL or DSN, a Redis URL) holding the set
// "bayes", its upkeep (expiry, then bayes.max_rows) every maintainEvery.
func (d *daemon) openBayesStore(cfg config.Bayes) (counter.Store, error) {
	if cfg.Store == "memory" {
		m := counter.NewMem(nil)
		go func() {
			for range time.Tick(memSweep) {
				m.Sweep()
			}
		}()
		return m, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := counterstore.Open(ctx, cfg.Store, counterstore.Options{Name: bayesSet, MaxRows: int64(cfg.MaxRows)})
	if err != nil {
		return nil, err
	}
	go maintainLoop(context.Background(), b, d.logger)
	return b, nil
}

// bayesSet is the name of the classifier's counters in a shared store
// (the SQL table counter_bayes, the Redis keys milter91:bayes:…).
const bayesSet = "bayes"

// newClassifier builds the classifier of cfg over store.
func newClassifier(cfg config.Bayes, store counter.Store) (*bayes.Classifier, error) {
	return bayes.New(store, bayes.Options{
		MinLearned:     int64(cfg.MinLearned),
		HamCutoff:      cfg.HamCutoff,
		SpamCutoff:     cfg.SpamCutoff,
		TTL:            cfg.Expire,
		MaxLearnPerDay: int64(cfg.MaxLearnPerDay),
	})
}

// buildClassifier returns the classifier of cfg, opening the store the
// first time; nil when the classifier is off.
func (d *daemon) buildClassifier(cfg *config.Config) (*bayes.Classifier, error) {
	if !cfg.Bayes.Enabled {
		return nil, nil
	}
	if d.bayes.store == nil {
		store, err := d.openBayesStore(cfg.Bayes)
		if err != nil {
			return nil, err
		}
		d.bayes.state = &storeState{onError: func() { d.stats.StoreError("bayes") }}
		d.bayes.store = trackedStore{Store: store, state: d.bayes.state}
		d.stats.WatchStore("bayes", func() bool { up, _ := d.bayes.state.status(); return up })
	}
	return newClassifier(cfg.Bayes, d.bayes.store)
}

// bayesHealth: degraded from a failed store call to the next one that
// works.
func (d *daemon) bayesHealth(h *admin.Health) {
	if d.bayes.state == nil {
		return
	}
	if up, detail := d.bayes.state.status(); !up {
		h.Status, h.Details["bayes"] = admin.HealthDegraded, detail
		return
	}
	h.Details["bayes"] = "ok"
}

// daemonLearner is the admin API's Learner: the classifier of the current
// engine, so that a reload's settings apply to learning too, and one that
// turns the classifier on or off turns POST /v1/learn with it.
type daemonLearner struct{ d *daemon }

func (l daemonLearner) LearnMessage(ctx context.Context, r io.Reader, class bayes.Class, scopes ...bayes.Scope) (int, []bayes.LearnReport, error) {
	c := l.d.engine.Load().Bayes()
	if c == nil {
		return 0, nil, admin.ErrLearnerOff
	}
	return c.LearnMessage(ctx, r, class, scopes...)
}

// autolearn returns the engine's autolearn thresholds, nil when off.
func autolearn(cfg config.Bayes) *engine.Autolearn {
	if !cfg.Enabled || !cfg.Autolearn {
		return nil
	}
	return &engine.Autolearn{SpamAt: cfg.AutolearnSpamAt, HamAt: cfg.AutolearnHamAt}
}
