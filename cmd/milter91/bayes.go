package main

import (
	"context"
	"errors"
	"io"
	"time"

	"milter91/config"
	"milter91/internal/admin"
	"milter91/internal/bayes"
	"milter91/internal/counter"
	"milter91/internal/engine"
)

// classifierState is the content classifier of the running daemon: one
// counter store for the process's life (a reload keeps what was
// learned); each engine gets the Classifier of its config over it.
type classifierState struct {
	store counter.Store
	state *storeState
}

// trackedStore reports a counter store's failures to a storeState, for
// /v1/health and milter91_store_up{store="bayes"}.
type trackedStore struct {
	counter.Store
	state *storeState
}

func (s trackedStore) Add(ctx context.Context, incs []counter.Inc) ([]int64, error) {
	v, err := s.Store.Add(ctx, incs)
	if ctx.Err() == nil {
		s.state.wrote(err)
		s.state.count(err)
	}
	return v, err
}

func (s trackedStore) Get(ctx context.Context, keys []string) ([]int64, error) {
	v, err := s.Store.Get(ctx, keys)
	if ctx.Err() == nil {
		s.state.failed(err)
		s.state.count(err)
	}
	return v, err
}

// memSweep is how often the memory store drops its expired counters.
const memSweep = time.Hour

// openBayesStore opens bayes.store: today only "memory" (config refuses
// the others until the shared counter stores exist), swept of expired
// counters every memSweep for the process's life.
func openBayesStore(cfg config.Bayes) (counter.Store, error) {
	if cfg.Store != "memory" {
		return nil, errors.New("bayes.store: " + cfg.Store + ": not available")
	}
	m := counter.NewMem(nil)
	go func() {
		for range time.Tick(memSweep) {
			m.Sweep()
		}
	}()
	return m, nil
}

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
		store, err := openBayesStore(cfg.Bayes)
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
