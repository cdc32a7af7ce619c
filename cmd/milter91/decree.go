package main

import (
	"context"
	"log/slog"
	"time"

	"milter91/config"
	"milter91/decree"
	"milter91/internal/engine"
	"milter91/internal/registry"
	"milter91/internal/txn"
)

// registryAdapter lets *registry.Store serve as engine.Registry; state
// (nil for milter91 check) follows its writes for health and metrics.
type registryAdapter struct {
	s     *registry.Store
	state *storeState
}

// Recipient implements engine.Registry.
func (a registryAdapter) Recipient(ctx context.Context, advertiser, rcpt string, products []string, now time.Time) (txn.DecreeRecipient, error) {
	r, err := a.s.Recipient(ctx, advertiser, rcpt, products, now)
	a.state.failed(err)
	return r, err
}

// ReserveSend implements engine.Registry: a release func only when a send
// was recorded. Its failures are counted with the message's facts
// (registry_unavailable); a failed release is counted here.
func (a registryAdapter) ReserveSend(ctx context.Context, advertiser, rcpt, direction string, capacity int, now time.Time) (int, func(context.Context) error, error) {
	n, res, err := a.s.ReserveSend(ctx, advertiser, rcpt, direction, capacity, now)
	a.state.wrote(err)
	if err != nil || !res.Reserved() {
		return n, nil, err
	}
	return n, func(ctx context.Context) error {
		err := a.s.Release(ctx, res)
		a.state.wrote(err)
		a.state.count(err)
		return err
	}, nil
}

// RecordRefusalMailboxes implements engine.Registry.
func (a registryAdapter) RecordRefusalMailboxes(ctx context.Context, advertiser, recipient string, mailboxes []string, now time.Time) error {
	err := a.s.RecordRefusalMailboxes(ctx, advertiser, recipient, mailboxes, now)
	a.state.wrote(err)
	a.state.count(err)
	return err
}

// CaptureRefusal implements engine.Registry.
func (a registryAdapter) CaptureRefusal(ctx context.Context, sender, rcpt string, now time.Time) ([]string, error) {
	advs, err := a.s.CaptureRefusal(ctx, sender, rcpt, now)
	a.state.wrote(err)
	a.state.count(err)
	return advs, err
}

// openRegistry opens the configured registry; nil when none is configured.
func openRegistry(cfg *config.Config) (*registry.Store, error) {
	if !cfg.Decree.Enabled || cfg.Decree.Registry == "" {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := registry.Open(ctx, cfg.Decree.Registry)
	if err != nil {
		return nil, err
	}
	s.SetDefaultCap(cfg.Decree.MaxPer24h)
	return s, nil
}

// decreeOptions builds the engine's Decree 91 stage from cfg; zero when
// the decree is turned off.
func decreeOptions(cfg *config.Config, store *registry.Store, mode engineMode) (engine.DecreeOptions, error) {
	d := cfg.Decree
	if !d.Enabled {
		return engine.DecreeOptions{}, nil
	}
	dc := decree.DefaultConfig()
	dc.Labels = d.Labels
	an, err := decree.NewAnalyzer(dc)
	if err != nil {
		return engine.DecreeOptions{}, err
	}
	opt := engine.DecreeOptions{
		Analyzer: an,
		Directions: engine.Directions{
			Default: d.DefaultDirection, Force: mode.direction, Authenticated: d.OutboundAuthenticated,
			Listeners: d.OutboundListeners, DaemonNames: d.OutboundDaemonNames,
		},
		RemoveFailing:  d.MultiRecipient == "remove_failing",
		ProductHeaders: d.ProductHeaders,
		DryRun:         mode.dryRun,
		Now:            time.Now,
	}
	if store != nil {
		opt.Registry = registryAdapter{s: store, state: mode.registry}
	}
	return opt, nil
}

// pruneLoop deletes expired registry rows hourly until ctx ends
// (Decree 91/2020 Art. 11.7 retention; sends after 24 h).
func pruneLoop(ctx context.Context, s *registry.Store, retention time.Duration, log *slog.Logger) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		st, err := s.Prune(ctx, time.Now(), retention)
		if err != nil {
			log.Error("registry prune failed", "error", err.Error())
		} else {
			log.Debug("registry pruned", "consents", st.Consents, "refusals", st.Refusals, "sends", st.Sends, "mailboxes", st.Mailboxes)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
