package main

import (
	"context"
	"log/slog"
	"time"

	"milter91/config"
	"milter91/internal/registry"
	"milter91/internal/spamreport"
	"milter91/internal/userblock"
)

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

// openBlockLists opens the users' block lists (internal/userblock) in
// the registry's database; nil without a registry.
func openBlockLists(cfg *config.Config) (*userblock.Store, error) {
	return openBeside(cfg, userblock.Open)
}

// openReports opens the spam report store in the registry's database;
// nil without a registry.
func openReports(cfg *config.Config) (*spamreport.Store, error) {
	return openBeside(cfg, spamreport.Open)
}

// openBeside opens a store that lives in the registry's database with
// open (within 30 s); the zero T without a registry.
func openBeside[T any](cfg *config.Config, open func(context.Context, string) (T, error)) (T, error) {
	var none T
	if !cfg.Decree.Enabled || cfg.Decree.Registry == "" {
		return none, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return open(ctx, cfg.Decree.Registry)
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
