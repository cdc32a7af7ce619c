// Package metrics exposes the daemon's Prometheus counters at /metrics:
// messages by action, internal faults, rule matches (with their ref),
// Decree 91/2020 advertising mail, DNS queries and cache hits, evaluation
// time and time per check, blocklist results and zone events, temporary
// DNS errors, reloads, messages being evaluated, store errors, header
// archive records, milter connections and messages rejected for a limit.
// These counts are also what an operator reports per period to the
// authority (Decree 91/2020 Art. 10.7).
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"milter91/internal/txn"
	"milter91/milter"
)

// Metrics holds the collectors; create it with New.
type Metrics struct {
	reg      *prometheus.Registry
	messages *prometheus.CounterVec
	faults   *prometheus.CounterVec
	rules    *prometheus.CounterVec
	ads      *prometheus.CounterVec
	elapsed  prometheus.Histogram
	size     prometheus.Histogram
	queries  prometheus.Histogram
	zones    *prometheus.CounterVec
	checks   *prometheus.HistogramVec
	results  *prometheus.CounterVec
	temperr  *prometheus.CounterVec
	reloads  *prometheus.CounterVec
	inFlight prometheus.Gauge
	storeErr *prometheus.CounterVec
	archived *prometheus.CounterVec
	milterCollectors
}

// New registers the milter91 collectors and the Go/process collectors on
// a registry of its own.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "milter91_messages_total", Help: "Messages answered, by action and Decree 91 direction (\"\" when not evaluated).",
		}, []string{"action", "direction"}),
		faults: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "milter91_faults_total", Help: "Internal faults that gave the fail mode, by kind.",
		}, []string{"kind"}),
		rules: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "milter91_rule_matches_total", Help: "Rule matches, by rule id and ref (RFC section or decree article).",
		}, []string{"rule", "ref"}),
		ads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "milter91_decree91_ads_total", Help: "Advertising email (Decree 91/2020 Art. 3.1), by direction and label.",
		}, []string{"direction", "label"}),
		elapsed: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "milter91_message_seconds", Help: "End-of-message evaluation time in seconds.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}),
		size: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "milter91_message_bytes", Help: "Message size in bytes (headers and body).",
			Buckets: prometheus.ExponentialBuckets(1024, 4, 10),
		}),
		queries: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "milter91_dns_queries", Help: "DNS queries sent per message (cache hits excluded).",
			Buckets: []float64{0, 1, 2, 4, 8, 16, 32, 64},
		}),
		zones: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "milter91_dnsbl_zone_events_total",
			Help: "Blocklist zone state changes: paused after an error answer, disabled or enabled by the RFC 5782 §5 health check.",
		}, []string{"zone", "event"}),
	}
	m.addCheckCollectors()
	m.addMilterCollectors()
	m.initLabels()
	m.reg.MustRegister(m.messages, m.faults, m.rules, m.ads, m.elapsed, m.size, m.queries, m.zones,
		m.checks, m.results, m.temperr, m.reloads, m.inFlight, m.storeErr, m.archived,
		m.conns, m.refused, m.limits,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// initLabels creates the known label values at zero, so that the series
// exist from the start and rate() and increase() see the first events.
func (m *Metrics) initLabels() {
	for _, a := range []txn.Action{txn.ActionAccept, txn.ActionTag, txn.ActionQuarantine, txn.ActionTempfail, txn.ActionReject} {
		for _, d := range []string{"", txn.DirectionInbound, txn.DirectionOutbound} {
			m.messages.WithLabelValues(a.String(), d)
		}
	}
	for _, k := range []string{"error", "panic", "deadline", "spool", "evaluator", "outcome"} {
		m.faults.WithLabelValues(k)
	}
	for _, v := range []struct {
		vec    *prometheus.CounterVec
		values []string
	}{
		{vec: m.storeErr, values: []string{"registry", "archive"}},
		{vec: m.archived, values: []string{"written", "spooled", "dropped"}},
		{vec: m.reloads, values: []string{"ok", "failed"}},
		{vec: m.limits, values: []string{milter.LimitHeaderBytes, milter.LimitHeaderFields, milter.LimitMessageSize}},
	} {
		for _, x := range v.values {
			v.vec.WithLabelValues(x)
		}
	}
}

// Outcome counts the rules, decree facts and DNS queries of one
// evaluated message.
func (m *Metrics) Outcome(o *txn.Outcome) {
	for _, r := range o.Verdict.Matches {
		m.rules.WithLabelValues(r.ID, r.Ref).Inc()
	}
	if d := &o.Facts.Decree; d.Advertising {
		m.ads.WithLabelValues(d.Direction, d.Label).Inc()
	}
	if o.Facts.Decree.RegistryUnavailable {
		m.StoreError("registry")
	}
	m.queries.Observe(float64(o.Facts.DNSQueries))
	for name, d := range o.Facts.Durations {
		m.checks.WithLabelValues(name).Observe(d.Seconds())
	}
	for _, b := range o.Facts.DNSBL {
		m.results.WithLabelValues(b.Zone, b.Result).Inc()
	}
	for _, c := range o.Facts.Temperrors {
		m.temperr.WithLabelValues(c).Inc()
	}
}

// ZoneEvent counts one blocklist zone state change (event: "paused",
// "disabled", "enabled").
func (m *Metrics) ZoneEvent(zone, event string) {
	m.zones.WithLabelValues(zone, event).Inc()
}

// addCheckCollectors makes the collectors of the checks, the blocklists,
// reloads and messages in flight.
func (m *Metrics) addCheckCollectors() {
	m.checks = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "milter91_check_seconds", Help: "Time per check of one message (spf, dkim, dmarc, dnsbl, decree91, rules, total), in seconds.",
		Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16),
	}, []string{"check"})
	m.results = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "milter91_dnsbl_results_total", Help: "Blocklist answers by zone and result (listed, notlisted, blocked, temperror).",
	}, []string{"zone", "result"})
	m.temperr = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "milter91_temperrors_total", Help: "Messages whose check ended in a temporary DNS error (timeout, SERVFAIL), by check.",
	}, []string{"check"})
	m.reloads = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "milter91_reloads_total", Help: "Config and rules reloads (SIGHUP), by result: ok or failed (the running config stays).",
	}, []string{"result"})
	m.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "milter91_messages_evaluating", Help: "Messages being evaluated now (end of message reached, verdict not yet sent).",
	})
	m.storeErr = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "milter91_store_errors_total", Help: "Failed store operations, by store: registry (a message's consent/refusal/count lookup, a send release, a refusal capture or mailbox record), archive (a failed batch write or prune).",
	}, []string{"store"})
	m.archived = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "milter91_archive_records_total", Help: "Header archive records (Decree 91/2020 Art. 10.6), by result: written, spooled (past archive.queue, to disk), or dropped (no room in the queue and the spool, or the spool failing).",
	}, []string{"result"})
}

// StoreError counts one failed store operation of store ("registry",
// "archive").
func (m *Metrics) StoreError(store string) { m.storeErr.WithLabelValues(store).Inc() }

// Archived counts n header archive records with result "written",
// "spooled" or "dropped".
func (m *Metrics) Archived(result string, n int) { m.archived.WithLabelValues(result).Add(float64(n)) }

// WatchStore exports milter91_store_up{store}: 1 while up reports that
// the store's last write worked, 0 from a failed write to the next one
// that works. Call it once per store.
func (m *Metrics) WatchStore(store string, up func() bool) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "milter91_store_up", Help: "1 while the store's last write worked, 0 from a failed write to the next one that works, by store.",
		ConstLabels: prometheus.Labels{"store": store},
	}, func() float64 {
		if up() {
			return 1
		}
		return 0
	}))
}

// WatchArchiveSpool exports what the header archive's spool holds now:
// milter91_archive_spool_records and milter91_archive_spool_bytes.
func (m *Metrics) WatchArchiveSpool(spool func() (records, bytes int64)) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "milter91_archive_spool_records", Help: "Header archive records waiting on disk for the store (archive.spool_dir).",
		}, func() float64 { n, _ := spool(); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "milter91_archive_spool_bytes", Help: "Size of the header archive's spool on disk, in bytes (bounded by archive.spool_max).",
		}, func() float64 { _, b := spool(); return float64(b) }),
	)
}

// Reload counts one reload: ok, or failed (the running config stays).
func (m *Metrics) Reload(ok bool) {
	result := "failed"
	if ok {
		result = "ok"
	}
	m.reloads.WithLabelValues(result).Inc()
}

// Evaluating adds delta (+1 at the start of an evaluation, -1 at its end)
// to the messages being evaluated.
func (m *Metrics) Evaluating(delta float64) { m.inFlight.Add(delta) }

// ResolverStats are the resolver's lifetime counters (resolver.Client).
type ResolverStats interface {
	Stats() (queries, cacheHits int64)
	Timeouts() int64
}

// WatchResolver exports the resolver's lifetime counters: queries sent on
// the network, cache hits and attempts that timed out.
func (m *Metrics) WatchResolver(r ResolverStats) {
	stats := r.Stats
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "milter91_dns_network_queries_total", Help: "DNS queries sent on the network (cache misses), since start.",
		}, func() float64 { q, _ := stats(); return float64(q) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "milter91_dns_cache_hits_total", Help: "DNS lookups answered from the resolver's cache, since start.",
		}, func() float64 { _, h := stats(); return float64(h) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "milter91_dns_timeouts_total", Help: "DNS query attempts that got no answer within dns.timeout, since start.",
		}, func() float64 { return float64(r.Timeouts()) }),
	)
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
