package main

import (
	"context"
	"time"

	"milter91/config"
	"milter91/internal/dmarc"
	"milter91/internal/dmarcfail"
	"milter91/internal/dmarcreport"
)

// startDMARCFailures starts the failure reporter of
// dmarc.failure_reports (RFC 9991); nil when off, which sends nothing.
func (d *daemon) startDMARCFailures(cfg *config.Config) *dmarcfail.Reporter {
	f := cfg.DMARCFailure
	if !f.Enabled {
		return nil
	}
	send := func(ctx context.Context, msg []byte) error { return dmarcreport.Sendmail(ctx, f.Sendmail, msg) }
	return dmarcfail.New(dmarcfail.Config{
		From: f.From, ReportingMTA: cfg.AuthservID, UserAgent: "milter91 " + version,
		Redact: f.Redact, PerDomainHour: f.PerDomainHour, Queue: f.Queue,
	}, &dmarc.Checker{R: d.res}, send, d.logger.With("component", "dmarc_failure_reports"), nil)
}

// closeDMARCFailures sends what is queued, for at most 30 s.
func closeDMARCFailures(r *dmarcfail.Reporter) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r.Close(ctx)
}
