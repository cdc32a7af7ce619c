package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"milter91/config"
	"milter91/internal/dmarcstore"
	"milter91/internal/txn"
)

// dmarcReports keeps the aggregate report entries of the answers
// (dmarc.report_store); nil when off.
type dmarcReports struct {
	store  *dmarcstore.Store
	writer *dmarcstore.Writer
}

// startDMARCReports opens cfg.DMARCReportStore and starts its writer;
// nil when off. Errors: the store cannot be opened.
func (d *daemon) startDMARCReports(ctx context.Context, cfg *config.Config) (*dmarcReports, error) {
	if cfg.DMARCReportStore == "" {
		return nil, nil
	}
	openCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	store, err := dmarcstore.Open(openCtx, cfg.DMARCReportStore)
	if err != nil {
		return nil, fmt.Errorf("dmarc.report_store: %w", err)
	}
	log := d.logger.With("component", "dmarc_reports")
	w := dmarcstore.NewWriter(store, 0, log, func() { d.stats.StoreError("dmarc_reports") })
	d.stats.WatchStore("dmarc_reports", func() bool { return !w.Failing() })
	go pruneReports(ctx, store, log)
	return &dmarcReports{store: store, writer: w}, nil
}

// pruneReports deletes the entries older than dmarcstore.Retention, at
// start and every hour until ctx ends.
func pruneReports(ctx context.Context, s *dmarcstore.Store, log *slog.Logger) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		if n, err := s.Prune(ctx, time.Now().Add(-dmarcstore.Retention)); err != nil && ctx.Err() == nil {
			log.Error("dmarc report entries: prune failed", "error", err.Error())
		} else if n > 0 {
			log.Debug("dmarc report entries pruned", "entries", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (r *dmarcReports) add(a txn.Answer) {
	if r != nil {
		r.writer.Answered(a)
	}
}

// close writes what is queued (for at most 30 s) and closes the store.
func (r *dmarcReports) close() {
	if r == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r.writer.Close(ctx)
	r.store.Close()
}
