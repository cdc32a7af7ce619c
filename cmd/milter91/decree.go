package main

import (
	"context"
	"log/slog"
	"time"

	"milter91/config"
	"milter91/decree"
	"milter91/engine"
	"milter91/registry"
	"milter91/txn"
)

// registryAdapter lets *registry.Store serve as engine.Registry.
type registryAdapter struct{ s *registry.Store }

// Recipient implements engine.Registry.
func (a registryAdapter) Recipient(ctx context.Context, advertiser, rcpt string, products []string, now time.Time) (txn.DecreeRecipient, error) {
	return a.s.Recipient(ctx, advertiser, rcpt, products, now)
}

// ReserveSend implements engine.Registry: a release func only when a send
// was recorded.
func (a registryAdapter) ReserveSend(ctx context.Context, advertiser, rcpt, direction string, capacity int, now time.Time) (int, func(context.Context) error, error) {
	n, res, err := a.s.ReserveSend(ctx, advertiser, rcpt, direction, capacity, now)
	if err != nil || !res.Reserved() {
		return n, nil, err
	}
	return n, func(ctx context.Context) error { return a.s.Release(ctx, res) }, nil
}

// RecordRefusalMailboxes implements engine.Registry.
func (a registryAdapter) RecordRefusalMailboxes(ctx context.Context, advertiser, recipient string, mailboxes []string, now time.Time) error {
	return a.s.RecordRefusalMailboxes(ctx, advertiser, recipient, mailboxes, now)
}

// CaptureRefusal implements engine.Registry.
func (a registryAdapter) CaptureRefusal(ctx context.Context, sender, rcpt string, now time.Time) ([]string, error) {
	return a.s.CaptureRefusal(ctx, sender, rcpt, now)
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
func decreeOptions(cfg *config.Config, store *registry.Store, dryRun bool, force string) (engine.DecreeOptions, error) {
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
			Default: d.DefaultDirection, Force: force, Authenticated: d.OutboundAuthenticated,
			Listeners: d.OutboundListeners, DaemonNames: d.OutboundDaemonNames,
		},
		RemoveFailing:  d.MultiRecipient == "remove_failing",
		ProductHeaders: d.ProductHeaders,
		DryRun:         dryRun,
		Now:            time.Now,
	}
	if store != nil {
		opt.Registry = registryAdapter{s: store}
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
