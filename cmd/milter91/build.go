package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"milter91/config"
	"milter91/decree/stage/setup"
	"milter91/dnsbl"
	"milter91/internal/bayes"
	"milter91/internal/counter"
	"milter91/internal/dkimsign"
	"milter91/internal/engine"
	"milter91/internal/registry"
	"milter91/internal/resolver"
)

// resolvConf is where the nameservers come from when dns.servers is empty.
const resolvConf = "/etc/resolv.conf"

// newResolver builds the DNS resolver: the configured servers, else
// resolvConf's.
func newResolver(cfg *config.Config) (*resolver.Client, error) {
	servers := cfg.DNS.Servers
	if len(servers) == 0 {
		s, err := resolver.ServersFromResolvConf(resolvConf)
		if err != nil {
			return nil, fmt.Errorf("dns: no servers configured and %w", err)
		}
		servers = s
	}
	// In the config 0 means "none"; resolver.Config reads 0 as "default"
	// and a negative value as "none".
	retries, cacheSize, cacheBytes := cfg.DNS.Retries, cfg.DNS.CacheSize, cfg.DNS.CacheBytes
	if retries == 0 {
		retries = -1
	}
	if cacheSize <= 0 || cacheBytes <= 0 {
		cacheSize, cacheBytes = -1, -1
	}
	return resolver.New(resolver.Config{
		Servers:    servers,
		Timeout:    cfg.DNS.Timeout,
		Retries:    retries,
		CacheSize:  cacheSize,
		CacheBytes: cacheBytes,
	})
}

func newChecker(cfg *config.Config, events func(dnsbl.Event)) (*dnsbl.Checker, error) {
	if len(cfg.DNSBL.Zones) == 0 {
		return nil, nil
	}
	zones, err := dnsbl.Compile(cfg.DNSBL.Zones)
	if err != nil {
		return nil, err
	}
	return dnsbl.NewChecker(zones, dnsbl.Options{PauseAfterBlocked: cfg.DNSBL.PauseAfterBlocked, Now: time.Now, Events: events})
}

// newLocalLists loads the configured local lists, nil when there are
// none; a file that cannot be opened is reported at its config entry.
// Reload outcomes are logged.
func newLocalLists(cfg *config.Config, logger *slog.Logger) (*dnsbl.LocalLists, error) {
	if len(cfg.Lists) == 0 {
		return nil, nil
	}
	if err := cfg.OpenListFiles(); err != nil {
		return nil, err
	}
	return dnsbl.NewLocalLists(cfg.Lists, func(msg string, args ...any) {
		level := slog.LevelInfo
		for i := 0; i+1 < len(args); i += 2 {
			switch args[i] {
			case "err":
				level = slog.LevelError // a list file that failed to reload
			case "warning":
				level = max(level, slog.LevelWarn) // a list reloaded empty
			}
		}
		logger.Log(context.Background(), level, msg, args...)
	})
}

// buildEngine wires one engine from cfg, sharing res (the resolver and its
// cache outlive reloads) and the registry store (nil without one);
// events receives the blocklist zones' state changes (nil: none).
func buildEngine(cfg *config.Config, res resolver.Resolver, store *registry.Store, logger *slog.Logger,
	events func(dnsbl.Event), mode engineMode) (*engine.Engine, error) {
	set, err := cfg.LoadRules()
	if err != nil {
		return nil, err
	}
	checker, err := newChecker(cfg, events)
	if err != nil {
		return nil, err
	}
	lists, err := newLocalLists(cfg, logger)
	if err != nil {
		return nil, err
	}
	var health setup.Health
	if mode.registry != nil {
		health = mode.registry
	}
	dec, err := setup.Stage(cfg.Decree, store, health, setup.Mode{DryRun: mode.dryRun, Direction: mode.direction}, logger)
	if err != nil {
		return nil, err
	}
	limits, once, outbound, err := counting(cfg, mode.counters, mode.countersState)
	if err != nil {
		return nil, err
	}
	signing, err := newSigning(cfg, mode.direction)
	if err != nil {
		return nil, err
	}
	if err := checkARCSeal(cfg, logger); err != nil {
		return nil, err
	}
	return engine.New(engine.Options{
		Resolver:          res,
		Rules:             set,
		DNSBL:             checker,
		DNSBLLimits:       dnsbl.Limits{MaxBodyDomains: cfg.DNSBL.MaxBodyDomains, MaxQueries: cfg.DNSBL.MaxQueries},
		Lists:             lists,
		AuthservID:        cfg.AuthservID,
		MaxDKIM:           cfg.DKIM.MaxSignatures,
		DMARCPSL:          cfg.DMARCPSL,
		SkipAuthenticated: cfg.SkipAuthenticated,
		SubjectPrefix:     cfg.Tag.SubjectPrefix,
		Logger:            logger,
		Decree:            dec,
		RateLimits:        limits,
		Once:              once,
		Outbound:          outbound,
		Modes:             engine.Modes(cfg.Modes),
		Trusted:           engine.Trusted(cfg.TrustedNetworks),
		Quarantine:        engine.Quarantine{Default: cfg.Quarantine.Method, DMARC: cfg.Quarantine.DMARCMethod},
		Signing:           signing,
		Bayes:             mode.bayes,
		BayesPerRecipient: cfg.Bayes.PerRecipient,
		ContentFacts:      cfg.ContentFacts,
		Autolearn:         autolearn(cfg.Bayes),
		BlockLists:        mode.blocks,
		Reports:           mode.reports,
		AbuseMailboxes:    cfg.Reports.AbuseMailboxes,
		AbuseDiscard:      cfg.Reports.AbuseAction == config.AbuseDiscard,
		FeedbackIDs:       mode.feedback,
	})
}

// newSigning loads the dkim.sign keys (a reload that cannot read one
// fails, and the running engine keeps its keys) and who may sign; nil
// without keys. Outbound is decided as for the Decree 91 stage
// (decree91.outbound_*), direction forcing it for check.
func newSigning(cfg *config.Config, direction string) (*engine.Signing, error) {
	if len(cfg.DKIM.Sign) == 0 {
		return nil, nil
	}
	keys, err := dkimsign.Load(cfg.DKIM.Sign, filepath.Dir(cfg.Source))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Source, err)
	}
	auth, err := dkimsign.NewAuthorizer(cfg.DKIM.SignUsers)
	if err != nil {
		return nil, err
	}
	return &engine.Signing{Keys: keys, Authorizer: auth, Expire: cfg.DKIM.SignExpire,
		Directions: setup.Directions(cfg.Decree, direction)}, nil
}

// checkARCSeal reads the arc.seal key when sealing is enabled, so that a
// bad key fails the start or the reload, and warns that this version
// does not add ARC Sets to messages yet (arc.Sealer is the library).
func checkARCSeal(cfg *config.Config, logger *slog.Logger) error {
	if !cfg.ARCSeal.Enabled {
		return nil
	}
	path := cfg.ARCSeal.Key.Key
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(cfg.Source), path)
	}
	if _, _, err := dkimsign.ReadKey(path); err != nil {
		return fmt.Errorf("%s: arc.seal.key: %w", cfg.Source, err)
	}
	logger.Warn("arc.seal is enabled and its key reads, but this version does not seal messages yet", "domain", cfg.ARCSeal.Key.Domain, "selector", cfg.ARCSeal.Key.Selector)
	return nil
}

// engineMode adapts the engine: for `milter91 check`, record nothing and
// optionally force the Decree 91 direction; for serve, follow the
// registry's writes in registry (health, metrics) and count on counters.
type engineMode struct {
	dryRun    bool
	direction string
	registry  *storeState
	// counters is the counter store of the rate limits and the
	// counted-once marks (nil: nothing is counted), countersState follows
	// its calls.
	counters      counter.Store
	countersState *storeState
	// bayes is the content classifier, nil when it is off.
	bayes *bayes.Classifier
	// blocks are the users' block lists (nil interface: none).
	blocks engine.BlockLists
	// reports take the abuse mailbox's feedback reports in (nil: none).
	reports engine.ReportIntake
	// feedback stamps outbound ads with a Feedback-ID (nil: none).
	feedback engine.FeedbackIDs
}
