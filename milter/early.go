package milter

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"milter91/internal/txn"
)

// maxEarlyWait bounds the early decision at RCPT, well below Postfix's
// milter_command_timeout (30 s): its lookups are usually answered from
// the cache the connect-time prefetch filled.
const maxEarlyWait = 10 * time.Second

// earlyState is the early decision for one SMTP client, asked once per
// session (the client address does not change within it).
type earlyState struct {
	asked bool
	reply *txn.Reply // nil: not rejected early
}

// earlyReply returns the reply rejecting rcpt before DATA, nil to accept
// it. Authenticated messages are never rejected early, nor any on a
// connection where the MTA reads no RCPT reply; for others the
// evaluator is asked once per session and its answer kept. A panic or a
// missing evaluator means no early decision: the end of message decides.
func (s *session) earlyReply(msg *message, rcpt string) *txn.Reply {
	user := msg.macros["auth_authen"]
	if user != "" || s.noRcptReply {
		return nil
	}
	if !s.early.asked {
		s.early = earlyState{asked: true, reply: s.askEarly(user)}
		if r := s.early.reply; r != nil {
			s.srv.log.Info("client rejected at RCPT", "client_ip", addrString(s.conn), "helo", s.conn.HELO,
				"from", msg.from, "rcpt", rcpt, "reply", r.String())
			if hook := s.srv.opts.Answered; hook != nil {
				hook(txn.Answer{Time: time.Now().UTC(), Conn: s.conn, QueueID: msg.macros["i"], MailFrom: msg.from,
					Rcpts: []string{rcpt}, Stage: txn.StageRCPT, Action: txn.ActionReject, Reply: *r})
			}
		}
	}
	return s.early.reply
}

// askEarly asks the current evaluator, within maxEarlyWait.
func (s *session) askEarly(user string) (reply *txn.Reply) {
	ev := s.srv.evaluator()
	if ev == nil || !s.conn.ClientIP.IsValid() {
		return nil
	}
	defer func() {
		if p := recover(); p != nil {
			s.srv.log.Error("early decision panicked", "client_ip", s.conn.ClientIP.String(),
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			reply = nil
		}
	}()
	ctx, cancel := context.WithTimeout(s.srv.ctx, min(maxEarlyWait, s.srv.opts.Deadline))
	defer cancel()
	r := ev.Early(ctx, cloneConn(s.conn), user)
	if r == nil {
		return nil
	}
	clean := sanitizeReply(txn.ActionReject, *r)
	return &clean
}
