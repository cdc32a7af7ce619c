package main

import (
	"context"
	"fmt"
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
	w := dmarcstore.NewWriter(store, 0, d.logger.With("component", "dmarc_reports"), func() { d.stats.StoreError("dmarc_reports") })
	d.stats.WatchStore("dmarc_reports", func() bool { return !w.Failing() })
	return &dmarcReports{store: store, writer: w}, nil
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
