package metrics

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"
)

// limits bound the /metrics server's connections.
type limits struct {
	readHeader, read, write, idle time.Duration
	maxHeaderBytes                int
	// maxConns are served at once; more wait in the listen backlog.
	maxConns int
}

// serveLimits (our choice): a scrape is one small GET whose answer is
// bounded; Prometheus keeps its connection between scrapes (every 15 to
// 60 s), so an idle connection lives 2 minutes; a few scrapers at most.
var serveLimits = limits{readHeader: 5 * time.Second, read: 10 * time.Second, write: 30 * time.Second,
	idle: 2 * time.Minute, maxHeaderBytes: 16 << 10, maxConns: 16}

// Serve serves /metrics on ln until ctx ends: request headers within 5 s
// and 16 KiB, the whole request within 10 s, the answer within 30 s, idle
// keep-alive connections closed after 2 minutes, 16 connections at once.
func (m *Metrics) Serve(ctx context.Context, ln net.Listener) error {
	return m.serve(ctx, ln, serveLimits)
}

func (m *Metrics) serve(ctx context.Context, ln net.Listener, l limits) error {
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: l.readHeader, ReadTimeout: l.read,
		WriteTimeout: l.write, IdleTimeout: l.idle, MaxHeaderBytes: l.maxHeaderBytes}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.Serve(netutil.LimitListener(ln, l.maxConns)); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
