package metrics

import "github.com/prometheus/client_golang/prometheus"

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
