package main

import (
	"context"
	"time"

	"milter91/config"
	"milter91/dnsbl"
	"milter91/engine"
)

// startHealth runs the RFC 5782 §5 health checks of e's blocklist zones
// every cfg.DNSBL.HealthInterval, after stopping those of the engine it
// replaces (a reload builds new zones).
func (d *daemon) startHealth(cfg *config.Config, e *engine.Engine) {
	if d.stopHealth != nil {
		d.stopHealth()
	}
	ctx, stop := context.WithCancel(context.Background())
	d.stopHealth = stop
	if c := e.DNSBL(); c != nil && cfg.DNSBL.HealthInterval > 0 {
		go c.RunHealth(ctx, d.res, cfg.DNSBL.HealthInterval)
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
