package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"milter91/config"
	"milter91/decree/stage/setup"
	"milter91/dnsbl"
	"milter91/internal/engine"
	"milter91/internal/registry"
	"milter91/internal/resolver"
	"milter91/rules"
)

// loadRules compiles the embedded default rules (unless turned off) and
// then the configured files and directories, as one set, so that an
// override in a later file sees the shipped rule it overrides.
func loadRules(cfg *config.Config, extra ...string) (*rules.Set, error) {
	set, err := compileRules(cfg, extra...)
	if err != nil {
		return nil, err
	}
	return set, checkRefs(cfg, set)
}

// compileRules compiles the defaults (when cfg says so), cfg's rule paths
// and extra, without checking the zones and lists they name.
func compileRules(cfg *config.Config, extra ...string) (*rules.Set, error) {
	var sources []rules.Source
	if cfg.Rules.Defaults {
		sources = append(sources, rules.Defaults()...)
	}
	files, err := rules.ReadPaths(uniquePaths(append(append([]string(nil), cfg.Rules.Paths...), extra...))...)
	if err != nil {
		return nil, atRulePaths(cfg, err)
	}
	return rules.Compile(append(sources, files...))
}

// uniquePaths drops the paths that name a file or directory already in
// paths (`rules lint --config X rules.d` where X loads rules.d too), which
// would otherwise read as duplicate rule ids.
func uniquePaths(paths []string) []string {
	seen := map[string]bool{}
	out := paths[:0]
	for _, p := range paths {
		key := filepath.Clean(p)
		if abs, err := filepath.Abs(p); err == nil {
			key = abs
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, p)
		}
	}
	return out
}

// checkRefs reports, at their positions, the zones and lists the rules
// name that cfg does not configure (a list of the wrong kind included):
// such a condition could never match, which a typo must not do silently.
func checkRefs(cfg *config.Config, set *rules.Set) error {
	zones, kinds := map[string]string{}, map[string]string{} // zone → type, list → kind
	var zoneNames, listNames []string
	for _, z := range cfg.DNSBL.Zones {
		typ := z.Type
		if typ == "" {
			typ = dnsbl.TypeIP
		}
		zones[z.Name] = typ
		zoneNames = append(zoneNames, z.Name)
	}
	for _, l := range cfg.Lists {
		kind := l.Kind
		if kind == "" {
			kind = dnsbl.KindBlock
		}
		kinds[l.Name] = kind
		listNames = append(listNames, l.Name+" ("+kind+")")
	}
	var errs rules.ErrorList
	for _, r := range set.Refs() {
		e := rules.Error{File: r.File, Line: r.Line, Col: r.Col}
		typ, zoneKind := zones[r.Name], strings.HasSuffix(r.Kind, "zone")
		switch {
		case zoneKind && typ == "":
			e.Msg = fmt.Sprintf("zone %q is not in dnsbl.zones of %s (configured: %s)", r.Name, cfg.Source, orNone(zoneNames))
		case r.Kind == "ip zone" && typ != dnsbl.TypeIP, r.Kind == "domain zone" && typ != dnsbl.TypeDomain:
			e.Msg = fmt.Sprintf("zone %q is of type %s, and this fact needs a zone of type %s (dnsbl: ip, rhsbl: domain)",
				r.Name, typ, strings.TrimSuffix(r.Kind, " zone"))
		case r.Kind == "blocklist" && kinds[r.Name] != dnsbl.KindBlock, r.Kind == "allowlist" && kinds[r.Name] != dnsbl.KindAllow:
			e.Msg = fmt.Sprintf("%s: no %s list %q in lists of %s (configured: %s)", r.Kind, strings.TrimSuffix(r.Kind, "list"), r.Name, cfg.Source, orNone(listNames))
		default:
			continue
		}
		errs = append(errs, e)
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

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
	if err := openListFiles(cfg); err != nil {
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
	set, err := loadRules(cfg)
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
	return engine.New(engine.Options{
		Resolver:          res,
		Rules:             set,
		DNSBL:             checker,
		DNSBLLimits:       dnsbl.Limits{MaxBodyDomains: cfg.DNSBL.MaxBodyDomains, MaxQueries: cfg.DNSBL.MaxQueries},
		Lists:             lists,
		AuthservID:        cfg.AuthservID,
		MaxDKIM:           cfg.DKIM.MaxSignatures,
		SkipAuthenticated: cfg.SkipAuthenticated,
		SubjectPrefix:     cfg.Tag.SubjectPrefix,
		Logger:            logger,
		Decree:            dec,
	})
}

// engineMode adapts the engine: for `milter91 check`, record nothing and
// optionally force the Decree 91 direction; for serve, follow the
// registry's writes in registry (health, metrics).
type engineMode struct {
	dryRun    bool
	direction string
	registry  *storeState
}
