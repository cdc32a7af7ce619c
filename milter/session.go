package milter

import (
	"fmt"
	"net/netip"
	"runtime/debug"
	"strconv"

	gomilter "github.com/d--j/go-milter"

	"milter91/internal/txn"
)

// session is the go-milter backend for one milter connection, i.e. one SMTP
// session (or several, when the MTA reuses the connection after
// SMFIC_QUIT_NC). go-milter calls its methods one at a time.
//
// conn survives all messages of the SMTP session, including rejected and
// aborted ones; msg is per message.
type session struct {
	srv       *Server
	protocol  gomilter.OptProtocol // negotiated
	leadSpace bool                 // SMFIP_HDR_LEADSPC negotiated
	// noRcptReply: SMFIP_NR_RCPT negotiated, the MTA reads no RCPT reply,
	// so no early decision is taken on this connection.
	noRcptReply bool
	conn        txn.Conn
	msg         *message
	early       earlyState // the early decision for conn's client
}

var _ gomilter.Milter = (*session)(nil)

// newSession starts the state of one milter connection with the
// negotiated protocol options.
func newSession(s *Server, protocol gomilter.OptProtocol) *session {
	return &session{srv: s, protocol: protocol, leadSpace: protocol&gomilter.OptHeaderLeadingSpace != 0,
		noRcptReply: protocol&gomilter.OptNoRcptReply != 0, conn: s.newConn()}
}

// NewConnection starts a fresh SMTP session: nothing of an earlier one on
// the same milter connection survives.
func (s *session) NewConnection(gomilter.Modifier) error {
	s.dropMessage()
	s.conn = s.srv.newConn()
	s.early = earlyState{}
	return nil
}

// Connect records the client. family is "tcp4", "tcp6", "unix" or "unknown";
// only tcp4/tcp6 carry a client IP (IPv4-mapped IPv6 is unmapped). Prefetch
// starts once the IP is known. Locally submitted mail (localSubmission)
// has no client: ClientIP stays invalid and Conn.Local is set.
func (s *session) Connect(host, family string, port uint16, addr string, m gomilter.Modifier) (*gomilter.Response, error) {
	s.dropMessage()
	c := s.srv.newConn()
	c.ClientName, c.ClientPort = host, port
	if family == "tcp4" || family == "tcp6" {
		if ip, err := netip.ParseAddr(addr); err == nil {
			c.ClientIP = ip.Unmap()
		}
	}
	collectMacros(m, connMacroNames, c.Macros)
	if v := c.Macros["client_name"]; v != "" {
		c.ClientName = v
	}
	if p, err := strconv.ParseUint(c.Macros["client_port"], 10, 16); c.ClientPort == 0 && err == nil {
		c.ClientPort = uint16(p)
	}
	c.DaemonName = c.Macros["daemon_name"]
	if localSubmission(c) {
		c.Local, c.ClientIP = true, netip.Addr{}
	}
	s.conn = c
	s.early = earlyState{}
	if c.ClientIP.IsValid() {
		s.prefetch()
	}
	return gomilter.RespContinue, nil
}

// localSubmission reports whether c is the connection Postfix's cleanup
// server emulates for mail without an SMTP client (non_smtpd_milters):
// client name "localhost", address 127.0.0.1 and port 0. A TCP client
// never has port 0, and only an XCLIENT-authorized host could claim it.
func localSubmission(c txn.Conn) bool {
	return c.ClientPort == 0 && c.ClientName == "localhost" && c.ClientIP == netip.AddrFrom4([4]byte{127, 0, 0, 1})
}

// prefetch hands a copy of the connection data to the current evaluator.
// A panic there must not take the process down with it.
func (s *session) prefetch() {
	ev := s.srv.evaluator()
	if ev == nil {
		return
	}
	defer func() {
		if p := recover(); p != nil {
			s.srv.log.Error("prefetch panicked", "client_ip", s.conn.ClientIP.String(),
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		}
	}()
	ev.Prefetch(cloneConn(s.conn))
}

// Helo records the last HELO/EHLO name (a client may repeat EHLO after
// STARTTLS) and the TLS macros.
func (s *session) Helo(name string, m gomilter.Modifier) (*gomilter.Response, error) {
	s.conn.HELO = name
	collectMacros(m, connMacroNames, s.conn.Macros)
	return gomilter.RespContinue, nil
}

// MailFrom starts a new message; from has no angle brackets, "" for <>.
func (s *session) MailFrom(from string, _ string, m gomilter.Modifier) (*gomilter.Response, error) {
	s.dropMessage()
	s.msg = s.srv.newMessage(gomilter.RemoveAngle(from))
	collectMacros(m, msgMacroNames, s.msg.macros)
	return gomilter.RespContinue, nil
}

// RcptTo records an accepted recipient (without angle brackets), or
// rejects it when the client is to be rejected early, or this recipient
// alone (see early.go).
func (s *session) RcptTo(rcpt string, _ string, m gomilter.Modifier) (*gomilter.Response, error) {
	msg := s.message()
	collectMacros(m, msgMacroNames, msg.macros)
	if reply := s.earlyReply(msg, gomilter.RemoveAngle(rcpt)); reply != nil {
		return replyResponse(txn.ActionReject, *reply), nil
	}
	if reply := s.rcptReply(msg, gomilter.RemoveAngle(rcpt)); reply != nil {
		return replyResponse(txn.ActionReject, *reply), nil
	}
	msg.rcpts = append(msg.rcpts, gomilter.RemoveAngle(rcpt))
	return gomilter.RespContinue, nil
}

// Data picks up the queue ID when the MTA knows it by now.
func (s *session) Data(m gomilter.Modifier) (*gomilter.Response, error) {
	collectMacros(m, msgMacroNames, s.message().macros)
	return gomilter.RespContinue, nil
}

// Header records one header field; see headerValue for the exact bytes.
// A header block over MaxHeaderBytes or MaxHeaderFields is rejected with
// 552 5.3.4 at the first event the MTA reads a reply for (see limitReply).
func (s *session) Header(name, value string, m gomilter.Modifier) (*gomilter.Response, error) {
	msg := s.message()
	msg.addHeader(name, value, s.leadSpace, s.srv.opts.MaxHeaderBytes, s.srv.opts.MaxHeaderFields)
	return s.limitReply(m, msg, gomilter.OptNoHeaderReply)
}

// Headers marks the end of the header block.
func (s *session) Headers(m gomilter.Modifier) (*gomilter.Response, error) {
	msg := s.message()
	collectMacros(m, msgMacroNames, msg.macros)
	return s.limitReply(m, msg, gomilter.OptNoEOHReply)
}

// limitReply rejects msg when it passed a header limit and the MTA reads
// a reply at this event (noReply, its SMFIP_NR_* option, not negotiated);
// otherwise it continues. milter91 asks for no header and end-of-header
// replies (one write less per header), so with Postfix the rejection
// goes out at the first body chunk or, for an empty body, at end of
// message: the MTA sends the body's first chunk at most, never more.
func (s *session) limitReply(m gomilter.Modifier, msg *message, noReply gomilter.OptProtocol) (*gomilter.Response, error) {
	if msg.over != "" && s.protocol&noReply == 0 {
		return s.decideEarly(m, limitDecision(msg.over))
	}
	return gomilter.RespContinue, nil
}

// BodyChunk spools a body chunk (up to the negotiated packet size). A spool
// failure answers with the fail mode at once; a message over a header limit
// or MaxMessageSize is rejected with 552 5.3.4.
func (s *session) BodyChunk(chunk []byte, m gomilter.Modifier) (*gomilter.Response, error) {
	msg := s.message()
	if msg.over != "" {
		return s.limitReply(m, msg, gomilter.OptNoBodyReply)
	}
	if _, err := msg.body.Write(chunk); err != nil {
		return s.decideEarly(m, s.srv.failDecision(&fault{kind: faultSpool, err: err}))
	}
	if limit := s.srv.opts.MaxMessageSize; limit > 0 && msg.size() > limit {
		return s.decideEarly(m, limitDecision(LimitMessageSize))
	}
	return gomilter.RespContinue, nil
}

// Abort ends the current message; connection data stays.
func (s *session) Abort(gomilter.Modifier) error {
	s.dropMessage()
	return nil
}

// Unknown ignores unknown SMTP commands (only sent when the MTA cannot honour
// SMFIP_NOUNKNOWN).
func (s *session) Unknown(string, gomilter.Modifier) (*gomilter.Response, error) {
	return gomilter.RespContinue, nil
}

// Cleanup releases the message of a milter connection that ended.
func (s *session) Cleanup(gomilter.Modifier) {
	s.dropMessage()
}

// message returns the current message, starting one when the MTA sent
// message data without MAIL FROM (it should not).
func (s *session) message() *message {
	if s.msg == nil {
		s.msg = s.srv.newMessage("")
	}
	return s.msg
}

// dropMessage discards the current message and removes its body spool.
func (s *session) dropMessage() {
	if s.msg == nil {
		return
	}
	if err := s.msg.body.Close(); err != nil {
		s.srv.log.Warn("close body spool", "queue_id", s.msg.macros["i"], "err", err.Error())
	}
	s.msg = nil
}
