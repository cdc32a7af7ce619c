package main

import (
	"context"
	"log/slog"
	"time"

	"milter91/config"
	"milter91/internal/registry"
	"milter91/internal/spamreport"
	"milter91/internal/txn"
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

// warnNoConsents warns at start when the registry holds no active consent
// and the consent policy is not off: every outbound ad then goes without
// consent on record (Art. 11.2), refused under reject, marked under tag,
// which usually means the consents were never imported.
func warnNoConsents(ctx context.Context, s *registry.Store, policy string, log *slog.Logger) {
	if s == nil || policy == txn.ConsentPolicyOff {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	n, err := s.CountConsents(ctx)
	if err != nil || n > 0 {
		return // a failing store is reported by health and the first lookups
	}
	log.Warn("registry holds no consent: every outbound advertising email has no consent on record",
		"consent_policy", policy, "hint", "import the advertisers' consents (milter91 consent import) or set decree91.consent_policy")
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
			log.Debug("registry pruned", "consents", st.Consents, "sends", st.Sends, "mailboxes", st.Mailboxes)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
