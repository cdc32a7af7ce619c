package metrics

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"milter91/internal/httplimit"
)

// serveLimits (our choice): a scrape is one small GET whose answer is
// bounded; Prometheus keeps its connection between scrapes (every 15 to
// 60 s), so an idle connection lives 2 minutes; a few scrapers at most.
var serveLimits = httplimit.Limits{ReadHeader: 5 * time.Second, Read: 10 * time.Second, Write: 30 * time.Second,
	Idle: 2 * time.Minute, MaxHeaderBytes: 16 << 10, MaxConns: 16}

// Serve serves /metrics on ln until ctx ends: request headers within 5 s
// and 16 KiB, the whole request within 10 s, the answer within 30 s, idle
// keep-alive connections closed after 2 minutes, 16 connections at once.
func (m *Metrics) Serve(ctx context.Context, ln net.Listener) error {
	return m.serve(ctx, ln, serveLimits)
}

func (m *Metrics) serve(ctx context.Context, ln net.Listener, l httplimit.Limits) error {
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	srv := l.Server(mux, nil)
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.Serve(l.Listener(ln)); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
