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
)

// Server timeouts (our choice). Reads and writes are long enough for a
// 64 MiB import or a full export on a slow link; a request's headers
// must arrive quickly.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 5 * time.Minute
	writeTimeout      = 5 * time.Minute
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
	// shutdownGrace is how long requests in flight may finish after ctx
	// is cancelled; then their connections are closed.
	shutdownGrace = 10 * time.Second
)

// Serve serves h on ln until ctx is cancelled, then shuts down
// gracefully (up to 10 s for requests in flight) and returns nil. With
// tlsCert and tlsKey (PEM file paths, read by LoadKeyPair) it serves
// HTTPS (TLS 1.2 or later); both or neither must be given. Errors: one TLS
// file without the other, unloadable TLS files, ln failing, a shutdown
// that had to cut requests. Errors of net/http itself (TLS handshakes) are logged
// through slog.Default at Warn.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, tlsCert, tlsKey string) error {
	if (tlsCert == "") != (tlsKey == "") {
		return errors.New("admin: TLS needs both a certificate and a key file")
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		// net/http's own complaints (TLS handshakes, panics) go to the
		// daemon's log, read at the time Serve is called.
		ErrorLog: slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn),
	}
	if tlsCert != "" {
		cert, err := LoadKeyPair(tlsCert, tlsKey)
		if err != nil {
			return fmt.Errorf("admin: TLS: %w", err)
		}
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	}
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
