// Package setup builds the Decree 91/2020 stage the daemon config
// describes (Stage), with the consent/refusal registry store adapted to it
// (Registry), reporting each store outcome to a Health for /v1/health and
// the metrics. It is apart from package stage so that the stage, and the
// engine that runs it, link neither the config nor an SQL driver.
package setup

import (
	"log/slog"
	"time"

	"milter91/config"
	"milter91/decree"
	"milter91/decree/stage"
	"milter91/internal/registry"
)

// Mode adapts the stage to its caller: milter91 check records nothing
// (DryRun) and may force the direction ("" keeps the configured rules).
type Mode struct {
	DryRun    bool
	Direction string
}

// Stage builds the stage of the config's decree section, with store the
// registry (nil: none configured) reporting to health (nil: nobody),
// logging to logger; nil, nil when the decree is turned off. The error is
// the analysis configuration's.
func Stage(d config.Decree, store *registry.Store, health Health, mode Mode, logger *slog.Logger) (*stage.Stage, error) {
	if !d.Enabled {
		return nil, nil
	}
	dc := decree.DefaultConfig()
	dc.Labels = d.Labels
	an, err := decree.NewAnalyzer(dc)
	if err != nil {
		return nil, err
	}
	opt := stage.Options{
		Analyzer: an,
		Directions: stage.Directions{
			Default: d.DefaultDirection, Force: mode.Direction, Authenticated: d.OutboundAuthenticated,
			Listeners: d.OutboundListeners, DaemonNames: d.OutboundDaemonNames,
		},
		RemoveFailing:  d.MultiRecipient == "remove_failing",
		ProductHeaders: d.ProductHeaders,
		DryRun:         mode.DryRun,
		Now:            time.Now,
		Logger:         logger,
	}
	if store != nil {
		opt.Registry = NewRegistry(store, health)
	}
	return stage.New(opt), nil
}
