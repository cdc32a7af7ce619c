package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	gomilter "github.com/d--j/go-milter"

	"milter91/config"
	"milter91/internal/counter"
	"milter91/internal/dmarcfail"
	"milter91/internal/dsn"
	"milter91/internal/engine"
	"milter91/internal/metrics"
	"milter91/internal/registry"
	"milter91/internal/resolver"
	"milter91/internal/sockaddr"
	"milter91/internal/spamreport"
	"milter91/internal/txn"
	"milter91/internal/userblock"
	"milter91/milter"
)

// daemon is the running state that a SIGHUP reload replaces.
type daemon struct {
	flags  common
	logger *slog.Logger
	res    *resolver.Client
	store  *registry.Store
	// blocks are the users' block lists, in the registry's database.
	blocks *userblock.Store
	// reports takes users' spam reports in, stored in the registry's
	// database (nil without a registry).
	reports *spamreport.Service
	// regState follows the registry's writes (nil without a registry).
	regState *storeState
	// counters is the shared counter store (nil when nothing counts);
	// ctrState follows its calls.
	counters counter.Backend
	ctrState *storeState
	// bayes is the content classifier's store and current classifier.
	bayes  classifierState
	engine atomic.Pointer[engine.Engine]
	stats  *metrics.Metrics
	// stopBackground ends the running engine's blocklist health checks
	// and list file watch.
	stopBackground context.CancelFunc
	// started is the config the process started with: the settings a
	// reload cannot change are compared against it.
	started *config.Config
	// lastReload describes the last failed reload for /v1/health ("" when
	// the last reload worked or none ran).
	lastReload atomic.Value
	// reloads carries reload requests of the admin API to the signal
	// loop, which answers on the inner channel: reloads never overlap.
	reloads chan chan reloadResult
}

func cmdServe(args []string, stderr io.Writer) int {
	d := &daemon{reloads: make(chan chan reloadResult)}
	fs := newFlagSet("serve", stderr, &d.flags)
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile to this file until the daemon stops (for load tests)")
	memProfile := fs.String("memprofile", "", "write a Go allocation profile to this file when the daemon stops (for load tests)")
	if err := parseFlags(fs, args); err != nil || fs.NArg() > 0 {
		return 2
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "milter91: %v\n", err)
			return 1
		}
		defer stop()
	}
	if *memProfile != "" {
		defer writeAllocProfile(*memProfile, stderr)
	}
	cfg, err := d.flags.loadConfig()
	if err != nil {
		fmt.Fprintf(stderr, "milter91: %v\n", err)
		return 1
	}
	d.logger = newLogger(cfg, stderr)
	// go-milter's own warnings (a misbehaving MTA, accept errors) go to
	// the same log, in its format.
	gomilter.LogWarning = protocolWarnings(d.logger)
	d.stats = metrics.New()
	code, err := d.run(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "milter91: %v\n", err)
	}
	return code
}

// run starts everything cfg configures and serves until SIGTERM; an error
// means the daemon could not start (exit 1). At the end the background
// work stops first, then the archive flushes, then the registry closes.
func (d *daemon) run(cfg *config.Config) (int, error) {
	if err := d.build(cfg); err != nil {
		return 1, err
	}
	d.stats.WatchResolver(d.res)
	ctx, stop := context.WithCancel(context.Background())
	var arch *archiver
	var reports *dmarcReports
	failures := d.startDMARCFailures(cfg)
	defer func() {
		stop()
		d.stopBackground()
		arch.close()
		reports.close()
		closeDMARCFailures(failures)
		if d.store != nil {
			d.store.Close()
		}
		if d.counters != nil {
			d.counters.Close()
		}
		if d.blocks != nil {
			d.blocks.Close()
		}
		if d.reports != nil {
			d.reports.Reports.Close()
		}
	}()
	listeners, err := listenAll(cfg)
	if err != nil {
		return 1, err
	}
	if err := d.serveMetrics(cfg, d.stats); err != nil {
		return 1, err
	}
	if arch, err = d.startArchive(ctx, cfg); err != nil {
		return 1, err
	}
	if reports, err = d.startDMARCReports(ctx, cfg); err != nil {
		return 1, err
	}
	if err := d.serveAdmin(ctx, cfg, arch); err != nil {
		return 1, err
	}
	servers, serveErr := d.serveAll(cfg, listeners, arch, reports, failures)
	if d.store != nil {
		go pruneLoop(ctx, d.store, cfg.Decree.Retention, d.logger)
	}
	if d.counters != nil {
		go maintainLoop(ctx, d.counters, d.logger)
	}
	d.logger.Info("milter91 started", "version", version, "revision", currentRevision(), "config", cfg.Source, "listen", cfg.Listen,
		"authserv_id", cfg.AuthservID, "dns", d.res.Servers(), "metrics", cfg.MetricsListen,
		"admin", cfg.Admin.Listen, "registry", dsn.Redact(cfg.Decree.Registry), "archive", dsn.Redact(cfg.Archive.Store),
		"counters", dsn.Redact(cfg.Counters.Store), "rate_limits", len(cfg.RateLimits),
		"dmarc_report_store", dsn.Redact(cfg.DMARCReportStore), "dmarc_failure_reports", cfg.DMARCFailure.Enabled)
	warnNoConsents(ctx, d.store, cfg.Decree.ConsentPolicy, d.logger)
	return d.loop(servers, cfg, serveErr), nil
}

// serveAll starts one milter server per listener (so that each connection
// knows its listener: the Decree 91 direction per listener); a server's
// end is sent on the returned channel. Every answer goes to the metrics,
// the archive, the DMARC report entries and the DMARC failure reports
// (nil: none).
func (d *daemon) serveAll(cfg *config.Config, listeners []net.Listener, arch *archiver, reports *dmarcReports, failures *dmarcfail.Reporter) ([]*milter.Server, <-chan error) {
	servers := make([]*milter.Server, len(listeners))
	serveErr := make(chan error, len(listeners))
	answered := func(a txn.Answer) {
		d.stats.Answered(a)
		arch.add(a)
		reports.add(a)
		failures.Answered(a)
	}
	for i, ln := range listeners {
		servers[i] = milter.New(milter.Options{
			Evaluator:       func() milter.Evaluator { return d.stats.Evaluator(d.engine.Load()) },
			Metrics:         d.stats.Hooks(),
			FailMode:        cfg.FailMode,
			Deadline:        cfg.MessageDeadline,
			SpoolThreshold:  cfg.SpoolThreshold,
			SpoolDir:        cfg.SpoolDir,
			MaxHeaderBytes:  cfg.Limits.HeaderBytes,
			MaxHeaderFields: cfg.Limits.HeaderFields,
			IdleTimeout:     cfg.Limits.MilterIdleTimeout,
			MaxConnections:  cfg.Limits.MilterConnections,
			Logger:          d.logger,
			Listener:        cfg.Listen[i],
			Answered:        answered,
		})
		go func(srv *milter.Server, ln net.Listener) { serveErr <- srv.Serve(ln) }(servers[i], ln)
	}
	return servers, serveErr
}

// loop handles signals until SIGTERM/SIGINT or a listener failure.
func (d *daemon) loop(servers []*milter.Server, cfg *config.Config, serveErr <-chan error) int {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sigs)
	for {
		select {
		case err := <-serveErr:
			d.logger.Error("listener failed", "error", err)
			return 1
		case done := <-d.reloads:
			stale, err := d.reload()
			done <- reloadResult{stale: stale, err: err}
		case sig := <-sigs:
			if sig == syscall.SIGHUP {
				_, _ = d.reload() // logged there
				continue
			}
			d.logger.Info("stopping: finishing messages in flight", "grace", cfg.ShutdownGrace.String())
			if err := shutdownAll(servers, cfg.ShutdownGrace); err != nil {
				d.logger.Error("shutdown", "error", err)
				return 1
			}
			d.logger.Info("milter91 stopped")
			return 0
		}
	}
}

// build makes the resolver and the registry (first time only) and the
// engine from cfg.
func (d *daemon) build(cfg *config.Config) error {
	if d.res == nil {
		res, err := newResolver(cfg)
		if err != nil {
			return err
		}
		d.res = res
		if d.store, err = openRegistry(cfg); err != nil {
			return err
		}
		if d.blocks, err = openBlockLists(cfg); err != nil {
			return err
		}
		if err := d.openReports(cfg); err != nil {
			return err
		}
		if d.store != nil {
			d.regState = &storeState{onError: func() { d.stats.StoreError("registry") }}
			d.stats.WatchStore("registry", func() bool { up, _ := d.regState.status(); return up })
		}
		if d.counters, err = openCounters(cfg); err != nil {
			return err
		}
		if d.counters != nil {
			d.ctrState = &storeState{onError: func() { d.stats.StoreError("counters") }}
			d.stats.WatchStore("counters", func() bool { up, _ := d.ctrState.status(); return up })
		}
		d.started = cfg
	}
	classifier, err := d.buildClassifier(cfg)
	if err != nil {
		return err
	}
	mode := engineMode{registry: d.regState, counters: d.counters, countersState: d.ctrState, bayes: classifier}
	if d.blocks != nil {
		mode.blocks = d.blocks
	}
	if d.reports != nil {
		mode.reports = d.reports
		if cfg.Reports.FeedbackID {
			mode.feedback = d.reports.Reports
		}
	}
	e, err := buildEngine(cfg, d.res, d.store, d.logger, d.zoneEvent, mode)
	if err != nil {
		return err
	}
	d.engine.Store(e)
	d.startBackground(cfg, e)
	return nil
}

// openReports opens the spam report store and its intake, which records
// the refusals of reports about ads in the registry.
func (d *daemon) openReports(cfg *config.Config) error {
	st, err := openReports(cfg)
	if err != nil || st == nil {
		return err
	}
	d.reports = &spamreport.Service{Intake: spamreport.Intake{Store: st, Feedback: st, Logger: d.logger}, Reports: st}
	if d.store != nil {
		d.reports.Refusals = d.store
	}
	return nil
}

// reloadResult is a reload's answer to the admin API.
type reloadResult struct {
	stale []string
	err   error
}

func listenAll(cfg *config.Config) ([]net.Listener, error) {
	var out []net.Listener
	for _, addr := range cfg.Listen {
		ln, err := sockaddr.Listen(addr, cfg.SocketMode, cfg.SocketGroup)
		if err != nil {
			for _, l := range out {
				l.Close()
			}
			return nil, err
		}
		out = append(out, ln)
	}
	return out, nil
}

// shutdownAll stops every server at once and waits up to grace for the
// messages in flight; running out of grace is not an error.
func shutdownAll(servers []*milter.Server, grace time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	errs := make(chan error, len(servers))
	for _, srv := range servers {
		go func(srv *milter.Server) { errs <- srv.Shutdown(ctx) }(srv)
	}
	var first error
	for range servers {
		if err := <-errs; err != nil && !errors.Is(err, context.DeadlineExceeded) && first == nil {
			first = err
		}
	}
	return first
}

// serveMetrics starts the /metrics endpoint when configured; it runs until
// the process exits.
func (d *daemon) serveMetrics(cfg *config.Config, m *metrics.Metrics) error {
	if cfg.MetricsListen == "" {
		return nil
	}
	ln, err := net.Listen("tcp", cfg.MetricsListen)
	if err != nil {
		return fmt.Errorf("metrics_listen: %w", err)
	}
	go func() {
		if err := m.Serve(context.Background(), ln); err != nil {
			d.logger.Error("metrics endpoint failed", "error", err.Error())
		}
	}()
	return nil
}
