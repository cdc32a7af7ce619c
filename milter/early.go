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

// rcptReply returns the reply refusing rcpt alone before DATA, nil to
// accept it: the evaluator's EarlyRcpt, asked for every recipient of
// every message (authenticated ones too: a customer's ad to a recipient
// who refused it), within maxEarlyWait, unless the MTA reads no RCPT
// reply. A refusal is logged and told to Answered (Stage txn.StageRCPT,
// with the outcome). A panic or a missing evaluator means no decision:
// the end of message decides.
func (s *session) rcptReply(msg *message, rcpt string) (reply *txn.Reply) {
	if s.noRcptReply {
		return nil
	}
	ev := s.srv.evaluator()
	if ev == nil {
		return nil
	}
	user := msg.macros["auth_authen"]
	defer func() {
		if p := recover(); p != nil {
			s.srv.log.Error("recipient decision panicked", "rcpt", rcpt, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			reply = nil
		}
	}()
	ctx, cancel := context.WithTimeout(s.srv.ctx, min(maxEarlyWait, s.srv.opts.Deadline))
	defer cancel()
	out := ev.EarlyRcpt(ctx, cloneConn(s.conn), user, msg.from, rcpt)
	if out == nil || out.Verdict.Action != txn.ActionReject {
		return nil
	}
	clean := sanitizeReply(txn.ActionReject, out.Verdict.Reply)
	s.srv.log.Info("recipient rejected at RCPT", "client_ip", addrString(s.conn), "from", msg.from, "rcpt", rcpt,
		"rules", out.Verdict.RuleIDs(), "reply", clean.String())
	if hook := s.srv.opts.Answered; hook != nil {
		hook(txn.Answer{Time: time.Now().UTC(), Conn: s.conn, QueueID: msg.macros["i"], MailFrom: msg.from,
			Rcpts: []string{rcpt}, AuthUser: user, Stage: txn.StageRCPT, Outcome: out, Action: txn.ActionReject, Reply: clean})
	}
	return &clean
}
