// Package httplimit bounds the daemon's HTTP servers (/metrics, the admin
// API): how long a request's headers, the request and the answer may take,
// how long a keep-alive connection may idle, how large the headers may
// be, and how many connections are served at once.
package httplimit

import (
	"log"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"
)

// Limits of one server. Zero durations and sizes are net/http's defaults
// (no timeout, 1 MiB of headers); MaxConns must be positive.
type Limits struct {
	ReadHeader, Read, Write, Idle time.Duration
	MaxHeaderBytes                int
	// MaxConns connections are served at once; more wait in the listen
	// backlog.
	MaxConns int
}

// Server returns a server for h within l; its own errors (TLS handshakes,
// panics) go to errorLog when not nil.
func (l Limits) Server(h http.Handler, errorLog *log.Logger) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: l.ReadHeader, ReadTimeout: l.Read,
		WriteTimeout: l.Write, IdleTimeout: l.Idle, MaxHeaderBytes: l.MaxHeaderBytes, ErrorLog: errorLog}
}

// Listener returns ln serving at most l.MaxConns connections at once
// (golang.org/x/net/netutil.LimitListener).
func (l Limits) Listener(ln net.Listener) net.Listener {
	return netutil.LimitListener(ln, l.MaxConns)
}
