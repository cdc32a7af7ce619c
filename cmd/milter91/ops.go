package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"slices"
	"time"

	"milter91/config"
	"milter91/internal/admin"
	"milter91/internal/archive"
	"milter91/internal/report"
	"milter91/internal/spamreport"
	"milter91/internal/txn"
)

// archiver is the running header archive (Decree 91/2020 Art. 10.6): its
// store and the batching writer the milter servers feed.
type archiver struct {
	store  *archive.Store
	writer *archive.Writer
	queue  int           // the writer's queue bound
	done   chan struct{} // closed when the writer's Run returned
}

// startArchive opens cfg.Archive.Store and runs its writer until ctx ends;
// nil when the archive is off. Errors: the store cannot be opened.
func (d *daemon) startArchive(ctx context.Context, cfg *config.Config) (*archiver, error) {
	if cfg.Archive.Store == "" {
		return nil, nil
	}
	openCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	store, err := archive.Open(openCtx, cfg.Archive.Store)
	if err != nil {
		return nil, fmt.Errorf("archive.store: %w", err)
	}
	spool, err := openSpool(cfg.Archive, d.logger)
	if err != nil {
		store.Close()
		return nil, err
	}
	w := archive.NewWriter(store, archive.WriterOptions{
		Queue:     cfg.Archive.Queue,
		Batch:     cfg.Archive.Batch,
		Retention: cfg.Archive.Retention,
		Spool:     spool,
		Logger:    d.logger.With("component", "archive"),
		OnError:   func() { d.stats.StoreError("archive") },
		OnDropped: func() { d.stats.Archived("dropped", 1) },
		OnSpooled: func() { d.stats.Archived("spooled", 1) },
		OnWritten: func(n int) { d.stats.Archived("written", n) },
	})
	d.stats.WatchStore("archive", func() bool { return !w.Stats().Failing })
	d.stats.WatchArchiveSpool(func() (int64, int64) { st := w.Stats(); return st.Spooled, st.SpoolBytes })
	a := &archiver{store: store, writer: w, queue: cfg.Archive.Queue, done: make(chan struct{})}
	go func() {
		defer close(a.done)
		w.Run(ctx)
	}()
	return a, nil
}

// openSpool opens the archive's spool; nil, with a warning, when there is
// none (a PostgreSQL store without archive.spool_dir, or spool_max 0).
func openSpool(a config.Archive, log *slog.Logger) (*archive.Spool, error) {
	if a.SpoolDir == "" {
		log.Warn("archive: no spool (archive.spool_dir): records beyond archive.queue are dropped while the store fails")
		return nil, nil
	}
	sp, err := archive.OpenSpool(a.SpoolDir, a.SpoolMax, a.Batch)
	if err != nil {
		return nil, fmt.Errorf("archive.spool_dir: %w", err)
	}
	if n := sp.Len(); n > 0 {
		log.Info("archive: spool holds records from an earlier run, writing them", "records", n, "bytes", sp.Bytes())
	}
	return sp, nil
}

// add archives one answer of the milter servers; nothing without an
// archive.
func (a *archiver) add(answer txn.Answer) {
	if a != nil {
		a.writer.Add(archive.NewRecord(answer))
	}
}

// close waits for the writer's last flush (its ctx has ended) and closes
// the store.
func (a *archiver) close() {
	if a == nil {
		return
	}
	<-a.done
	a.store.Close()
}

// SearchHeaders adapts the archive's search to the admin API.
func (a *archiver) SearchHeaders(ctx context.Context, q admin.HeaderQuery) ([]archive.Record, error) {
	return a.store.Search(ctx, archive.Query(q))
}

// buildReport builds the Art. 10.7 report of [since, until) from the
// archive's daily counts, listing top blocked IPs and advertisers.
func buildReport(ctx context.Context, store *archive.Store, since, until time.Time, top int) (report.Report, error) {
	counts, err := store.Counts(ctx, since, until)
	if err != nil {
		return report.Report{}, err
	}
	return report.Build(counts, since, until, top), nil
}

// addUserReports fills r's spam report counts from users (nil: none).
func addUserReports(ctx context.Context, r *report.Report, users *spamreport.Store) error {
	if users == nil {
		return nil
	}
	c, err := users.Count(ctx, r.Since, r.Until)
	if err != nil {
		return err
	}
	u := report.UserReports{Total: int64(c.Total), Ads: int64(c.Ads), Refusals: int64(c.Refusals), Unmapped: int64(c.Unmapped),
		ByType: []report.Item{}}
	for _, typ := range slices.Sorted(maps.Keys(c.ByType)) {
		u.ByType = append(u.ByType, report.Item{Key: typ, N: int64(c.ByType[typ])})
	}
	r.UserReports = u
	return nil
}

// writeReport writes the report of [since, until) in format for the admin
// API; it returns the content type.
func writeReport(ctx context.Context, store *archive.Store, users *spamreport.Store, w io.Writer, since, until time.Time, format string) (string, error) {
	f, err := report.ParseFormat(format)
	if err != nil {
		return "", err
	}
	r, err := buildReport(ctx, store, since, until, report.DefaultTop)
	if err == nil {
		err = addUserReports(ctx, &r, users)
	}
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := report.Write(&buf, r, f); err != nil {
		return "", err
	}
	_, err = buf.WriteTo(w)
	return contentType(f), err
}

func contentType(f report.Format) string {
	switch f {
	case report.CSV:
		return "text/csv; charset=utf-8"
	case report.HTML:
		return "text/html; charset=utf-8"
	default:
		return "application/json"
	}
}

// serveAdmin starts the admin API when admin.listen is set; it runs until
// ctx ends. Errors: the token file (see admin.LoadToken), the address.
func (d *daemon) serveAdmin(ctx context.Context, cfg *config.Config, arch *archiver) error {
	if cfg.Admin.Listen == "" {
		return nil
	}
	token, tokens, err := loadAdminTokens(cfg)
	if err != nil {
		return err
	}
	if cfg.Admin.TLSCert != "" {
		// Checked here so that a broken pair stops the start instead of
		// leaving the daemon without its admin API.
		if _, err := admin.LoadKeyPair(cfg.Admin.TLSCert, cfg.Admin.TLSKey); err != nil {
			return fmt.Errorf("admin.tls_cert/tls_key: %w", err)
		}
	}
	opts := admin.Options{Token: token, Tokens: tokens, Logger: d.logger.With("component", "admin"),
		Health: d.health(arch), Reload: d.requestReload}
	if d.store != nil {
		opts.Registry = d.store
	}
	opts.Learner = daemonLearner{d}
	if d.blocks != nil {
		opts.Blocks = d.blocks
	}
	if d.reports != nil {
		opts.Reports = d.reports
	}
	if arch != nil {
		opts.Headers = arch
		opts.Report = func(ctx context.Context, w io.Writer, since, until time.Time, format string) (string, error) {
			var users *spamreport.Store
			if d.reports != nil {
				users = d.reports.Reports
			}
			return writeReport(ctx, arch.store, users, w, since, until, format)
		}
	}
	h, err := admin.New(opts)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Admin.Listen)
	if err != nil {
		return fmt.Errorf("admin.listen: %w", err)
	}
	go func() {
		if err := admin.Serve(ctx, ln, h, cfg.Admin.TLSCert, cfg.Admin.TLSKey); err != nil {
			d.logger.Error("admin API failed", "error", err.Error())
		}
	}()
	return nil
}

// loadAdminTokens reads admin.token_file (the operator "admin") and each
// of admin.tokens.
func loadAdminTokens(cfg *config.Config) (token []byte, tokens []admin.NamedToken, err error) {
	if cfg.Admin.TokenFile != "" {
		if token, err = admin.LoadToken(cfg.Admin.TokenFile); err != nil {
			return nil, nil, fmt.Errorf("admin.token_file: %w", err)
		}
	}
	for i, t := range cfg.Admin.Tokens {
		tok, err := admin.LoadToken(t.File)
		if err != nil {
			return nil, nil, fmt.Errorf("admin.tokens[%d] (%s): %w", i, t.Name, err)
		}
		tokens = append(tokens, admin.NamedToken{Name: t.Name, Token: tok})
	}
	return token, tokens, nil
}

// health reports the registry (a ping-like read), the counter store, the archive writer's
// backlog and failures, and the blocklist zones disabled by their health
// check.
func (d *daemon) health(arch *archiver) func(context.Context) admin.Health {
	return func(ctx context.Context) admin.Health {
		h := admin.Health{Status: admin.HealthOK, Details: map[string]string{}}
		if last, _ := d.lastReload.Load().(string); last != "" {
			h.Details["reload"] = last
		}
		if d.store != nil {
			d.registryHealth(ctx, &h)
		}
		if d.counters != nil {
			d.countersHealth(ctx, &h)
		}
		if arch != nil {
			arch.health(&h)
		}
		d.bayesHealth(&h)
		return h
	}
}

// registryHealth: degraded while the registry's writes fail (since the
// last failed write, until one works) or it does not answer a read.
func (d *daemon) registryHealth(ctx context.Context, h *admin.Health) {
	if up, detail := d.regState.status(); !up {
		h.Status, h.Details["registry"] = admin.HealthDegraded, detail
		return
	}
	if err := d.store.Ping(ctx); err != nil {
		h.Status, h.Details["registry"] = admin.HealthDegraded, err.Error()
		return
	}
	h.Details["registry"] = "ok"
}

// health: degraded from a failed batch write to the next one that works,
// and while the queue is full.
func (a *archiver) health(h *admin.Health) {
	st := a.writer.Stats()
	detail := fmt.Sprintf("written %d, pending %d, spooled %d (%d bytes), dropped %d, failed batches %d",
		st.Written, st.Pending, st.Spooled, st.SpoolBytes, st.Dropped, st.FailedBatches)
	if st.Failing {
		detail += "; writes failing: " + st.LastError
	}
	h.Details["archive"] = detail
	if st.Failing || st.Pending >= int64(a.queue) {
		h.Status = admin.HealthDegraded
	}
}
