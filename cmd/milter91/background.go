package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"time"

	"milter91/config"
	"milter91/dnsbl"
	"milter91/internal/engine"
)

// startBackground starts the background work of engine e, after
// stopping that of the engine it replaces (a reload builds new zones and
// lists): the RFC 5782 §5 health checks of its blocklist zones every
// cfg.DNSBL.HealthInterval, and the watch that reloads a local list file
// when it changes.
func (d *daemon) startBackground(cfg *config.Config, e *engine.Engine) {
	if d.stopBackground != nil {
		d.stopBackground()
	}
	ctx, stop := context.WithCancel(context.Background())
	d.stopBackground = stop
	if c := e.DNSBL(); c != nil && cfg.DNSBL.HealthInterval > 0 {
		go c.RunHealth(ctx, d.res, cfg.DNSBL.HealthInterval)
	}
	if l := e.Lists(); l != nil {
		go func() {
			if err := l.Watcher().Watch(ctx); err != nil {
				d.logger.Error("local lists are not watched for changes; SIGHUP reloads them", "error", err)
			}
		}()
	}
}

// zoneEvent logs and counts one blocklist zone state change; the checker
// calls it once per change, not once per message.
func (d *daemon) zoneEvent(e dnsbl.Event) {
	d.stats.ZoneEvent(e.Zone, e.Kind)
	switch e.Kind {
	case dnsbl.EventPaused:
		d.logger.Warn("dnsbl zone paused after an error answer", "zone", e.Zone,
			"until", e.Until.UTC().Format(time.RFC3339), "detail", e.Detail)
	case dnsbl.EventDisabled:
		d.logger.Error("dnsbl zone disabled: it fails its health check", "zone", e.Zone, "detail", e.Detail)
	default:
		d.logger.Info("dnsbl zone enabled again", "zone", e.Zone, "detail", e.Detail)
	}
}

// startCPUProfile writes a CPU profile (runtime/pprof) to path until the
// returned function is called.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// writeAllocProfile writes the allocation profile (runtime/pprof "allocs":
// what was allocated since start, by call site) to path; a failure is
// reported on stderr, the daemon is stopping anyway.
func writeAllocProfile(path string, stderr io.Writer) {
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("allocs").WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "milter91: memprofile: %v\n", err)
	}
}
