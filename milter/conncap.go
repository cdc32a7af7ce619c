package milter

import (
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"milter91/internal/ratelog"
)

// capLogEvery is the period of the log line about refused connections.
const capLogEvery = 10 * time.Second

// capListener is the listener go-milter serves: it hands out
// connections (capConn) and keeps at most max of them open. A
// connection beyond that is closed as soon as it is accepted, so the
// accept loop never waits; the MTA applies its default action (Postfix
// milter_default_action) to that SMTP session. Accept errors go to
// go-milter, which retries temporary ones (EMFILE, ENFILE).
type capListener struct {
	net.Listener
	max     int64
	active  atomic.Int64
	metrics Metrics
	log     *ratelog.Log
	addr    string // the listen address, for the log line
}

func (s *Server) capListener(ln net.Listener) *capListener {
	return &capListener{Listener: ln, max: int64(s.opts.MaxConnections), metrics: s.opts.Metrics,
		log: ratelog.New(s.log, capLogEvery, slog.LevelWarn), addr: s.opts.Listener}
}

// Accept returns the next connection within the cap.
func (l *capListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.active.Add(1) <= l.max {
			l.count(1)
			return &capConn{Conn: c, release: l.release}, nil
		}
		l.active.Add(-1)
		if l.metrics.ConnRefused != nil {
			l.metrics.ConnRefused()
		}
		l.log.Note(time.Now(), "milter_connections", 1, "milter connection refused: connection cap reached",
			slog.Int64("max_connections", l.max), slog.String("listener", l.addr))
		c.Close()
	}
}

// release ends one connection's share of the cap.
func (l *capListener) release() {
	l.active.Add(-1)
	l.count(-1)
}

func (l *capListener) count(delta int) {
	if l.metrics.Connections != nil {
		l.metrics.Connections(delta)
	}
}
