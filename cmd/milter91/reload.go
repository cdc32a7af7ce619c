package main

import (
	"fmt"
	"slices"
	"time"

	"milter91/config"
)

// requestReload asks the signal loop for a reload (admin API) and returns
// its result.
func (d *daemon) requestReload() ([]string, error) {
	done := make(chan reloadResult, 1)
	d.reloads <- done
	r := <-done
	return r.stale, r.err
}

// reload rereads the config and rules; on any error the running engine
// stays and the error (file:line:col) is logged and returned. Listen
// addresses, the log format, DNS servers, the registry, the archive and
// the admin API need a restart: they are returned (and logged).
func (d *daemon) reload() ([]string, error) {
	cfg, err := d.flags.loadConfig()
	if err == nil {
		err = d.build(cfg)
	}
	if err != nil {
		d.stats.Reload(false)
		d.logger.Error("reload failed; keeping the running config and rules", "error", err.Error())
		d.lastReload.Store(fmt.Sprintf("failed at %s, the previous config runs: %v", time.Now().UTC().Format(time.RFC3339), err))
		return nil, err
	}
	d.lastReload.Store("")
	d.stats.Reload(true)
	d.logger.Info("reloaded config and rules", "config", cfg.Source)
	stale := needRestart(d.started, cfg)
	if len(stale) > 0 {
		d.logger.Warn("changed settings need a restart; still using the old ones", "settings", stale)
	}
	return stale, nil
}

// needRestart names the settings that differ between the running process
// and cfg but that only a restart applies.
func needRestart(old, cfg *config.Config) []string {
	var out []string
	add := func(name string, changed bool) {
		if changed {
			out = append(out, name)
		}
	}
	add("listen", !slices.Equal(old.Listen, cfg.Listen))
	add("socket_mode", old.SocketMode != cfg.SocketMode)
	add("socket_group", old.SocketGroup != cfg.SocketGroup)
	add("log", old.Log != cfg.Log)
	add("dns", !slices.Equal(old.DNS.Servers, cfg.DNS.Servers) || old.DNS.Timeout != cfg.DNS.Timeout ||
		old.DNS.Retries != cfg.DNS.Retries || old.DNS.CacheSize != cfg.DNS.CacheSize || old.DNS.CacheBytes != cfg.DNS.CacheBytes)
	add("decree91.registry", old.Decree.Registry != cfg.Decree.Registry)
	add("counters", old.Counters != cfg.Counters || (len(old.RateLimits) == 0) != (len(cfg.RateLimits) == 0))
	add("bayes.store", old.Bayes.Store != cfg.Bayes.Store || old.Bayes.MaxRows != cfg.Bayes.MaxRows)
	add("metrics_listen", old.MetricsListen != cfg.MetricsListen || old.MetricsAllowRemote != cfg.MetricsAllowRemote)
	add("limits", old.Limits != cfg.Limits)
	add("archive", old.Archive != cfg.Archive)
	oa, na := old.Admin, cfg.Admin
	add("admin", oa.Listen != na.Listen || oa.TokenFile != na.TokenFile || oa.TLSCert != na.TLSCert || oa.TLSKey != na.TLSKey ||
		!slices.Equal(oa.Tokens, na.Tokens))
	add("fail_mode", old.FailMode != cfg.FailMode)
	add("message_deadline", old.MessageDeadline != cfg.MessageDeadline)
	add("spool_threshold", old.SpoolThreshold != cfg.SpoolThreshold || old.SpoolDir != cfg.SpoolDir)
	return out
}
