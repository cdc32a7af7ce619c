package metrics

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"milter91/internal/txn"
	"milter91/milter"
)

// milterCollectors follow the milter connections and the messages
// rejected for passing a limit.
type milterCollectors struct {
	conns   prometheus.Gauge
	refused prometheus.Counter
	limits  *prometheus.CounterVec
}

func (m *Metrics) addMilterCollectors() {
	m.conns = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "milter91_milter_connections", Help: "Milter connections open now (one per SMTP session).",
	})
	m.refused = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "milter91_milter_connections_refused_total",
		Help: "Milter connections closed at once because limits.milter_connections were open (the MTA applied its default action).",
	})
	m.limits = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "milter91_limit_rejections_total",
		Help: "Messages rejected with 552 5.3.4 for passing a limit, by limit: header_bytes, header_fields, message_size.",
	}, []string{"limit"})
}

// Hooks returns the milter adapter's connection hooks.
func (m *Metrics) Hooks() milter.Metrics {
	return milter.Metrics{
		Connections: func(delta int) { m.conns.Add(float64(delta)) },
		ConnRefused: m.refused.Inc,
	}
}

// Answered counts one answer of the milter adapter (milter.Options.Answered):
// the message by action and Decree 91 direction, its time and size, the
// limit and the internal fault that decided.
func (m *Metrics) Answered(a txn.Answer) {
	direction := ""
	if a.Outcome != nil {
		direction = a.Outcome.Facts.Decree.Direction
	}
	m.messages.WithLabelValues(a.Action.String(), direction).Inc()
	m.elapsed.Observe(a.Elapsed.Seconds())
	m.size.Observe(float64(a.Size))
	if a.Limit != "" {
		m.limits.WithLabelValues(a.Limit).Inc()
	}
	if a.Fault != "" {
		m.faults.WithLabelValues(a.Fault).Inc()
	}
}

// Evaluator wraps e so that the messages being evaluated and every
// outcome it returns (Outcome) are counted, also one that comes too late
// for the answer.
func (m *Metrics) Evaluator(e milter.Evaluator) milter.Evaluator {
	return counting{e: e, m: m}
}

// counting is the milter.Evaluator Evaluator returns.
type counting struct {
	e milter.Evaluator
	m *Metrics
}

func (c counting) Prefetch(conn txn.Conn) { c.e.Prefetch(conn) }

func (c counting) RejectsEarly() bool { return c.e.RejectsEarly() }

func (c counting) Early(ctx context.Context, conn txn.Conn, authUser string) *txn.Reply {
	return c.e.Early(ctx, conn, authUser)
}

func (c counting) Evaluate(ctx context.Context, t *txn.Transaction) (*txn.Outcome, error) {
	c.m.Evaluating(1)
	defer c.m.Evaluating(-1)
	out, err := c.e.Evaluate(ctx, t)
	if out != nil && err == nil {
		c.m.Outcome(out)
	}
	return out, err
}
