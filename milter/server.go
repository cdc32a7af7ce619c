// Package milter connects Postfix (or Sendmail) to the milter91 engine over
// the milter protocol v6, using github.com/d--j/go-milter.
//
// It is an adapter and nothing more: the protocol callbacks build a
// txn.Transaction, the Evaluator turns it into an Outcome, and the
// Outcome's header edits and SMTP reply go back to the MTA; Options.Answered
// then tells the caller what was answered (txn.Answer), from which the
// archive and the metrics build their own records. It imports no store,
// check or rule.
//
// One milter connection serves one SMTP session: connection data (client IP,
// HELO, macros) lives as long as the session, the envelope, headers and body
// are collected per message. An internal fault (error, panic, deadline,
// spool failure) never loses mail: the configured fail mode answers instead.
package milter

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"time"

	gomilter "github.com/d--j/go-milter"

	"milter91/internal/txn"
)

// Evaluator turns a complete transaction into an outcome.
type Evaluator interface {
	// Prefetch starts lookups that need only connection data (client-IP
	// blocklists) so that they are done or in flight by end of message. It
	// must return at once.
	Prefetch(conn txn.Conn)
	// Evaluate runs checks and rules. An error is an internal fault: the
	// fail mode applies.
	Evaluate(ctx context.Context, t *txn.Transaction) (*txn.Outcome, error)
	// Early decides at the first RCPT of a message whether to reject the
	// client before DATA: a reject reply, or nil to go on. authUser is the
	// SASL login ({auth_authen}), "" when none. It must honour ctx.
	Early(ctx context.Context, conn txn.Conn, authUser string) *txn.Reply
	// RejectsEarly reports whether Early can return a reply at all. It is
	// asked when a milter connection starts: without early rejects the MTA
	// is told not to wait for a reply to each RCPT (one write less per
	// recipient), and Early is not asked on that connection.
	RejectsEarly() bool
}

// Defaults for zero Options fields.
const (
	// DefaultDeadline bounds Evaluate, well below Postfix's
	// milter_content_timeout (300s).
	DefaultDeadline = 20 * time.Second
	// DefaultSpoolThreshold is the body size (bytes) kept in memory before
	// the spool moves to a temporary file.
	DefaultSpoolThreshold int64 = 256 << 10
	// DefaultIdleTimeout bounds the wait for the next packet from the MTA
	// (and the read of one packet). One milter connection lives as long as
	// its SMTP session, whose client may idle up to Postfix's smtpd_timeout
	// (300 s) per command, plus the time Postfix's own restrictions take:
	// twice that.
	DefaultIdleTimeout = 10 * time.Minute
	// DefaultMaxHeaderBytes is Exim's header_maxsize (1 MiB);
	// DefaultMaxHeaderFields allows 1000 header fields.
	DefaultMaxHeaderBytes  int64 = 1 << 20
	DefaultMaxHeaderFields       = 1000
	// DefaultMaxConnections caps the milter connections open at once per
	// Server, i.e. per listen address (one per SMTP session).
	DefaultMaxConnections = 4096
)

// Options configure a Server.
type Options struct {
	// Evaluator returns the evaluator to use. It is called once per message
	// at end of message (and once per connection for Prefetch), so a reload
	// that swaps what it returns applies from the next message on. It must
	// be safe for concurrent use. nil, or a nil result, is an internal fault.
	Evaluator func() Evaluator
	// FailMode is the answer to an internal fault: txn.ActionTempfail
	// (451 4.7.1) or txn.ActionAccept (accept, no edits). Other values mean
	// tempfail. txn.Action's zero value is ActionAccept, so a zero Options
	// fails open: set it (config.Config.FailMode defaults to tempfail).
	FailMode txn.Action
	// Deadline bounds one Evaluate call; DefaultDeadline when <= 0.
	Deadline time.Duration
	// SpoolThreshold is the body size in bytes kept in memory; larger bodies
	// go to a temporary file in SpoolDir. 0 means DefaultSpoolThreshold,
	// negative means memory only.
	SpoolThreshold int64
	// SpoolDir holds body temporary files; "" means os.TempDir().
	SpoolDir string
	// MaxMessageSize, when > 0, rejects messages (headers + body, bytes)
	// larger than this with 552 5.3.4 as soon as the body passes it.
	MaxMessageSize int64
	// MaxHeaderBytes (name ":" value CRLF summed over the fields) and
	// MaxHeaderFields bound the header block kept of one message; past
	// either, nothing more is stored and the message is rejected with
	// 552 5.3.4 "Message header exceeds fixed limit" at the first event
	// the MTA reads a reply for (the first body chunk or end of message
	// with Postfix). DefaultMaxHeaderBytes and DefaultMaxHeaderFields when
	// <= 0.
	MaxHeaderBytes  int64
	MaxHeaderFields int
	// Logger receives the per-message summary and fault lines;
	// slog.Default() when nil.
	Logger *slog.Logger
	// Metrics are optional observation hooks.
	Metrics Metrics
	// Answered, when set, is told every answer sent to the MTA: one per
	// message answered (at its end, or at the header or body event that
	// decided), and one per SMTP client refused at RCPT (Stage
	// txn.StageRCPT). The archive (Decree 91/2020 Art. 10.6) and the
	// metrics build their records from it. It runs on the milter
	// connection's goroutine after the answer went out and must not block.
	Answered func(txn.Answer)
	// IdleTimeout closes a milter connection on which no packet arrived
	// (or one did not complete) for this long; DefaultIdleTimeout when <= 0.
	// The MTA then applies its default action to the SMTP session, so it
	// must exceed the MTA's own SMTP timeout (Postfix smtpd_timeout).
	IdleTimeout time.Duration
	// MaxConnections caps the milter connections open at once; one more
	// is closed at once (the MTA applies its default action), counted
	// (Metrics.ConnRefused) and logged at most every 10 s.
	// DefaultMaxConnections when <= 0.
	MaxConnections int
	// Listener names the listen address this server serves; it is copied
	// to txn.Conn.Listener so that policy can depend on it (e.g. the
	// Decree 91 direction). Run one Server per listen address.
	Listener string
}

// Metrics are optional hooks for the connection counters (the messages
// are counted from Options.Answered); nil fields are skipped. They run on
// the milter connection's goroutine and must not block.
type Metrics struct {
	// Connections is called with +1 when a milter connection is accepted
	// and -1 when it ends; ConnRefused once per connection refused at
	// Options.MaxConnections.
	Connections func(delta int)
	ConnRefused func()
}

// Server is a milter server. Create it with New.
type Server struct {
	opts   Options
	log    *slog.Logger
	lib    *gomilter.Server
	ctx    context.Context // parent of every Evaluate context
	cancel context.CancelFunc
	// evals counts the evaluation goroutines. One may outlive its message's
	// deadline until its checks notice, and it removes the body spool.
	evals sync.WaitGroup
}

// New returns a Server with the zero fields of opts set to their defaults.
func New(opts Options) *Server {
	if opts.Deadline <= 0 {
		opts.Deadline = DefaultDeadline
	}
	if opts.SpoolThreshold == 0 {
		opts.SpoolThreshold = DefaultSpoolThreshold
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.MaxConnections <= 0 {
		opts.MaxConnections = DefaultMaxConnections
	}
	if opts.MaxHeaderBytes <= 0 {
		opts.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if opts.MaxHeaderFields <= 0 {
		opts.MaxHeaderFields = DefaultMaxHeaderFields
	}
	if opts.FailMode != txn.ActionAccept {
		opts.FailMode = txn.ActionTempfail
	}
	s := &Server{opts: opts, log: opts.Logger}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	libOpts := append(NegotiationOptions(),
		gomilter.WithDynamicMilter(func(_ uint32, _ gomilter.OptAction, protocol gomilter.OptProtocol, _ gomilter.DataSize) gomilter.Milter {
			return newSession(s, protocol)
		}),
		gomilter.WithActions(requiredActions),
		gomilter.WithNegotiationCallback(s.negotiate),
		gomilter.WithReadTimeout(opts.IdleTimeout),
	)
	s.lib = gomilter.NewServer(libOpts...)
	return s
}

// NegotiationOptions are the go-milter server options that shape what the
// MTA sends milter91: the protocol options (wantedProtocol, without RCPT
// replies as when no early reject is configured) and the macro requests
// per stage. The load generator's accept-everything baseline uses them
// too, so that both receive the same events and macros; milter91's own
// server decides per connection (Server.negotiate).
func NegotiationOptions() []gomilter.Option {
	opts := []gomilter.Option{gomilter.WithProtocols(wantedProtocol | gomilter.OptNoRcptReply)}
	for _, r := range macroRequests {
		opts = append(opts, gomilter.WithMacroRequest(r.stage, r.names))
	}
	return opts
}

// newConn returns the empty connection state of a new SMTP session.
func (s *Server) newConn() txn.Conn {
	return txn.Conn{Listener: s.opts.Listener, Macros: map[string]string{}}
}

// Serve accepts milter connections on ln until Shutdown; it then returns
// nil. It may be called for several listeners. After Shutdown it returns
// gomilter.ErrServerClosed at once.
func (s *Server) Serve(ln net.Listener) error {
	return s.lib.Serve(s.capListener(ln))
}

// Shutdown stops accepting connections and waits until every milter
// connection has ended (Postfix closes it at the end of the SMTP session),
// so messages in flight finish. When ctx ends first it closes the remaining
// connections and returns ctx.Err(); Postfix then applies
// milter_default_action to those messages. Evaluations still running (past
// their deadline, or cut by ctx) are cancelled, and waited for while ctx
// lasts, so that their body spool files are removed before the process
// exits.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.lib.Shutdown(ctx)
	s.cancel()
	ended := make(chan struct{})
	go func() {
		s.evals.Wait()
		close(ended)
	}()
	select {
	case <-ended:
	case <-ctx.Done():
	}
	return err
}

// evaluator returns the current Evaluator, nil when none is configured.
func (s *Server) evaluator() Evaluator {
	if s.opts.Evaluator == nil {
		return nil
	}
	return s.opts.Evaluator()
}
