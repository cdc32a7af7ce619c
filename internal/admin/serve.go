package admin

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"milter91/internal/httplimit"
)

// serveLimits (our choice). Reads and writes are long enough for a
// 64 MiB import or a full export on a slow link; a request's headers
// must arrive quickly; an idle keep-alive connection is closed after
// 2 minutes.
var serveLimits = httplimit.Limits{ReadHeader: 10 * time.Second, Read: 5 * time.Minute, Write: 5 * time.Minute,
	Idle: 2 * time.Minute, MaxHeaderBytes: 64 << 10, MaxConns: 64}

// shutdownGrace is how long requests in flight may finish after ctx is
// cancelled; then their connections are closed.
const shutdownGrace = 10 * time.Second

// Serve serves h on ln until ctx is cancelled, then shuts down
// gracefully (up to 10 s for requests in flight) and returns nil. Request
// headers must arrive within 10 s and 64 KiB, a request within 5 minutes,
// its answer leave within 5 minutes; idle keep-alive connections are
// closed after 2 minutes; 64 connections are served at once. With
// tlsCert and tlsKey (PEM file paths, read by LoadKeyPair) it serves
// HTTPS (TLS 1.2 or later); both or neither must be given. Errors: one
// TLS file without the other, unloadable TLS files, ln failing, a
// shutdown that had to cut requests. Errors of net/http itself (TLS handshakes) are logged
// through slog.Default at Warn.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, tlsCert, tlsKey string) error {
	return serve(ctx, ln, h, tlsCert, tlsKey, serveLimits)
}

func serve(ctx context.Context, ln net.Listener, h http.Handler, tlsCert, tlsKey string, l httplimit.Limits) error {
	if (tlsCert == "") != (tlsKey == "") {
		return errors.New("admin: TLS needs both a certificate and a key file")
	}
	// net/http's own complaints (TLS handshakes, panics) go to the
	// daemon's log, read at the time Serve is called.
	srv := l.Server(h, slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn))
	if tlsCert != "" {
		cert, err := LoadKeyPair(tlsCert, tlsKey)
		if err != nil {
			return fmt.Errorf("admin: TLS: %w", err)
		}
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	}
	ln = l.Listener(ln)
	errc := make(chan error, 1)
	go func() {
		if srv.TLSConfig != nil {
			errc <- srv.ServeTLS(ln, "", "")
			return
		}
		errc <- srv.Serve(ln)
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("admin: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if err != nil {
		err = errors.Join(err, srv.Close())
	}
	<-errc
	if err != nil {
		return fmt.Errorf("admin: shutdown: %w", err)
	}
	return nil
}
