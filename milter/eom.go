package milter

import (
	"fmt"
	"time"

	gomilter "github.com/d--j/go-milter"

	"milter91/internal/txn"
)

// decision is the answer for one message as sent to the MTA.
type decision struct {
	action      txn.Action
	reply       txn.Reply // tempfail and reject only
	edits       []txn.HeaderEdit
	quarantine  string // quarantine only: the hold reason
	junk        bool   // quarantine delivered with the Junk fields, not held
	removeRcpts []string
	discard     bool         // accept, then drop (Outcome.Discard)
	fault       *fault       // the internal fault that decided, if any
	limit       string       // the limit that decided (LimitHeaderBytes, …), if any
	sign        *txn.Signing // the evaluator's signing request, accept and quarantine only
	signed      string       // the domain signed for, once the signature edits are in edits
}

// EndOfMessage evaluates the message and answers: header edits and accept,
// quarantine, or a reject/tempfail reply. It returns an error only when the
// milter connection itself fails while sending.
func (s *session) EndOfMessage(m gomilter.Modifier) (*gomilter.Response, error) {
	start := time.Now()
	msg := s.message()
	collectMacros(m, msgMacroNames, msg.macros)
	s.msg = nil
	t := transaction(s.conn, msg)
	var out *txn.Outcome
	var d decision
	if limit := s.srv.overLimit(msg); limit != "" {
		s.srv.closeBody(t)
		d = limitDecision(limit)
	} else {
		var f *fault
		out, f = s.srv.evaluate(t)
		d = s.srv.decide(out, f)
		if out != nil && out.Sign != nil {
			// evaluate handed the body over for signing.
			d = s.srv.sign(t, msg.headers, d)
			s.srv.closeBody(t)
		}
	}
	resp, delivered, err := s.send(m, msg, d)
	s.srv.report(s.conn, msg, out, d, delivered, err, time.Since(start))
	return resp, err
}

// decideEarly answers d before end of message (a fail mode or a limit's
// rejection); the MTA sends no more events for this message.
func (s *session) decideEarly(m gomilter.Modifier, d decision) (*gomilter.Response, error) {
	start := time.Now()
	msg := s.msg
	s.dropMessage()
	resp, delivered, err := s.send(m, msg, d)
	s.srv.report(s.conn, msg, nil, d, delivered, err, time.Since(start))
	return resp, err
}

// overLimit names the limit msg passed: a header limit, or
// Options.MaxMessageSize; "" when none.
func (s *Server) overLimit(msg *message) string {
	if msg.over != "" {
		return msg.over
	}
	if limit := s.opts.MaxMessageSize; limit > 0 && msg.size() > limit {
		return LimitMessageSize
	}
	return ""
}

// limitDecision rejects a message over limit with 552 5.3.4 (RFC 3463
// §3.4 X.3.4 "message too big for system"): a permanent answer, since a
// retry would send the same message again.
func limitDecision(limit string) decision {
	text := "Message size exceeds fixed limit"
	if limit != LimitMessageSize {
		text = "Message header exceeds fixed limit"
	}
	return decision{action: txn.ActionReject, limit: limit,
		reply: txn.Reply{Code: 552, Enhanced: "5.3.4", Text: text}}
}

// decide maps the evaluator's result to the answer; any fault, and an
// outcome with an unknown action, gives the fail mode. An observed
// outcome (txn.Outcome.Observed) is accepted with its edits.
func (s *Server) decide(out *txn.Outcome, f *fault) decision {
	if f == nil && (out.Verdict.Action < txn.ActionAccept || out.Verdict.Action > txn.ActionReject) {
		f = &fault{kind: faultOutcome, err: fmt.Errorf("unknown verdict action %d", int(out.Verdict.Action))}
	}
	if f != nil {
		return s.failDecision(f)
	}
	v := out.Verdict
	if out.Observed {
		// Observe mode: Verdict is the would-be answer, told to Answered
		// with the Outcome; the MTA is told to accept, and the message
		// delivered is signed as an accepted one.
		return decision{action: txn.ActionAccept, edits: out.Edits, sign: out.Sign}
	}
	switch v.Action {
	case txn.ActionTempfail, txn.ActionReject:
		return decision{action: v.Action, reply: sanitizeReply(v.Action, v.Reply)}
	case txn.ActionQuarantine:
		if out.Junk {
			return decision{action: v.Action, edits: out.Edits, junk: true, removeRcpts: out.RemoveRcpts, sign: out.Sign}
		}
		return decision{action: v.Action, edits: out.Edits, quarantine: quarantineReason(out.Quarantine),
			removeRcpts: out.RemoveRcpts, sign: out.Sign}
	default:
		if out.Discard && v.Action == txn.ActionAccept {
			return decision{action: v.Action, discard: true}
		}
		return decision{action: v.Action, edits: out.Edits, removeRcpts: out.RemoveRcpts, sign: out.Sign}
	}
}

// failDecision is the fail mode: tempfail with Postfix's own milter-trouble
// reply, or accept without edits.
func (s *Server) failDecision(f *fault) decision {
	if s.opts.FailMode == txn.ActionAccept {
		return decision{action: txn.ActionAccept, fault: f}
	}
	return decision{action: txn.ActionTempfail, reply: failReply, fault: f}
}

// send writes d to the MTA: a reply code for tempfail/reject, otherwise the
// header edits, the quarantine (hold) request unless it goes to Junk, and
// accept. It returns the header
// block as delivered when the caller is to be told (Options.Answered).
// Only a failure of the milter connection returns an error.
func (s *session) send(m gomilter.Modifier, msg *message, d decision) (*gomilter.Response, []txn.Header, error) {
	qid := msg.macros["i"]
	opt := editOptions{leadSpace: s.leadSpace, deliver: s.srv.opts.Answered != nil, warn: func(text string, args ...any) {
		s.srv.log.Warn(text, append([]any{"queue_id", qid}, args...)...)
	}}
	if d.action == txn.ActionTempfail || d.action == txn.ActionReject {
		delivered, _ := applyEdits(nil, msg.headers, nil, opt)
		return replyResponse(d.action, d.reply), delivered, nil
	}
	if d.discard {
		return gomilter.RespDiscard, nil, nil
	}
	delivered, err := applyEdits(m, msg.headers, d.edits, opt)
	if err != nil {
		return nil, delivered, err
	}
	for _, r := range d.removeRcpts {
		// go-milter adds the angle brackets SMFIR_DELRCPT wants.
		if err := m.DeleteRecipient(r); err != nil {
			return nil, delivered, fmt.Errorf("milter: delete recipient: %w", err)
		}
	}
	if d.action == txn.ActionQuarantine && !d.junk {
		if err := m.Quarantine(d.quarantine); err != nil {
			return nil, delivered, fmt.Errorf("milter: quarantine: %w", err)
		}
	}
	return gomilter.RespAccept, delivered, nil
}
