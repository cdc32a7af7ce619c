package milter

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"milter91/internal/txn"
)

// report tells what was answered for msg: the summary line, a fault's
// error line, and Options.Answered.
func (s *Server) report(conn txn.Conn, msg *message, out *txn.Outcome, d decision, delivered []txn.Header, sendErr error, elapsed time.Duration) {
	a := txn.Answer{
		Time:     time.Now().UTC(),
		Conn:     conn,
		QueueID:  msg.macros["i"],
		MailFrom: msg.from,
		Rcpts:    msg.rcpts,
		AuthUser: msg.macros["auth_authen"],
		Size:     msg.size(),
		Outcome:  out,
		Headers:  delivered,
		Elapsed:  elapsed,
		SendErr:  sendErr,
	}
	d.answer(&a)
	if d.fault != nil {
		s.logFault(a.QueueID, d.fault)
	}
	s.logAnswer(a)
	if s.opts.Answered != nil {
		s.opts.Answered(a)
	}
}

// answer copies the decision sent into a.
func (d decision) answer(a *txn.Answer) {
	a.Action, a.Reply, a.Quarantine, a.Junk, a.Limit, a.Signed, a.Discarded = d.action, d.reply, d.quarantine, d.junk, d.limit, d.signed, d.discard
	if d.fault != nil {
		a.Fault, a.FaultErr = d.fault.kind, d.fault.err
	}
}

// logAnswer writes the one summary line of a message.
//
// The line's message is "QUEUEID: ACTION" ("NOQUEUE" before Postfix assigned
// one), so it sorts next to Postfix's own lines; the attributes are qid,
// client_ip, client_name, helo, from, rcpts, auth (when set), local (locally
// submitted mail), size, action,
// score and rules (when evaluated), relay and external_ip (behind a trusted
// relay: the client judged), checks (per-check durations), dns_queries,
// elapsed, reply (tempfail/reject), would and would_reply (the verdict
// not enforced in observe mode), quarantine (the hold reason), junk (a
// quarantine delivered to Junk), limit (the limit a rejected
// message passed), dkim_signed (the domain signed for), dkim_unsigned (why
// outbound mail got no signature), fault and err.
func (s *Server) logAnswer(a txn.Answer) {
	attrs := []slog.Attr{
		slog.String("queue_id", a.QueueID),
		slog.String("client_ip", addrString(a.Conn)),
		slog.String("client_name", a.Conn.ClientName),
		slog.String("helo", a.Conn.HELO),
		slog.String("from", a.MailFrom),
		slog.Any("rcpts", slices.Clone(a.Rcpts)),
	}
	if a.AuthUser != "" {
		attrs = append(attrs, slog.String("auth", a.AuthUser))
	}
	if a.Conn.Local {
		attrs = append(attrs, slog.Bool("local", true))
	}
	attrs = append(attrs, slog.Int64("size", a.Size), slog.String("action", a.Action.String()))
	attrs = append(attrs, outcomeAttrs(a.Outcome)...)
	attrs = append(attrs, slog.Duration("elapsed", a.Elapsed))
	if a.Reply.Code != 0 {
		attrs = append(attrs, slog.String("reply", a.Reply.String()))
	}
	if a.Quarantine != "" {
		attrs = append(attrs, slog.String("quarantine", a.Quarantine))
	}
	if a.Junk {
		attrs = append(attrs, slog.Bool("junk", true))
	}
	if a.Discarded {
		attrs = append(attrs, slog.Bool("discarded", true))
	}
	if a.Limit != "" {
		attrs = append(attrs, slog.String("limit", a.Limit))
	}
	if a.Signed != "" {
		attrs = append(attrs, slog.String("dkim_signed", a.Signed))
	}
	level := slog.LevelInfo
	if a.Fault != "" {
		level = slog.LevelWarn
		attrs = append(attrs, slog.String("fault", a.Fault))
	}
	if a.SendErr != nil {
		level = slog.LevelError
		attrs = append(attrs, slog.String("err", a.SendErr.Error()))
	}
	s.log.LogAttrs(context.Background(), level, queueLabel(a.QueueID)+": "+a.Action.String(), attrs...)
}

// outcomeAttrs are the verdict and check facts; none without an outcome.
func outcomeAttrs(out *txn.Outcome) []slog.Attr {
	if out == nil {
		return nil
	}
	f := out.Facts
	names := make([]string, 0, len(f.Durations))
	for n := range f.Durations {
		names = append(names, n)
	}
	slices.Sort(names)
	checks := make([]any, 0, len(names))
	for _, n := range names {
		checks = append(checks, slog.Duration(n, f.Durations[n]))
	}
	attrs := []slog.Attr{
		slog.Float64("score", out.Verdict.Score),
		slog.Any("rules", out.Verdict.RuleIDs()),
		slog.Group("checks", checks...),
		slog.Int("dns_queries", f.DNSQueries),
	}
	if f.DNSBLSkipped > 0 {
		attrs = append(attrs, slog.Int("dnsbl_skipped", f.DNSBLSkipped))
	}
	if f.Relay != "" {
		attrs = append(attrs, slog.String("relay", f.Relay), slog.String("external_ip", f.ExternalIP))
	}
	if len(f.Lists) > 0 {
		hits := make([]string, len(f.Lists))
		for i, h := range f.Lists {
			hits[i] = h.List + ":" + h.Kind + ":" + h.Target
			if r := h.Request(); r != "" {
				// The authority's request behind the entry (Decree 91/2020 Art. 6.3, 9.4).
				hits[i] += " (authority request " + r + ")"
			}
		}
		attrs = append(attrs, slog.Any("lists", hits))
	}
	if d := &f.Decree; d.Advertising {
		attrs = append(attrs, slog.Group("decree91", slog.String("direction", d.Direction),
			slog.String("grade", d.Grade), slog.Any("evidence", d.Evidence), slog.Any("against", d.Against),
			slog.String("label", d.Label), slog.String("advertiser", d.Advertiser),
			slog.Any("missing_channels", d.MissingChannels)))
	}
	if len(out.RemoveRcpts) > 0 {
		attrs = append(attrs, slog.Any("removed_rcpts", out.RemoveRcpts))
	}
	if out.Observed {
		attrs = append(attrs, slog.String("would", out.Verdict.Action.String()))
		if r := out.Verdict.Reply; r.Code != 0 {
			attrs = append(attrs, slog.String("would_reply", sanitizeReply(out.Verdict.Action, r).String()))
		}
	}
	if out.SignRefused != "" {
		attrs = append(attrs, slog.String("dkim_unsigned", out.SignRefused))
	}
	return attrs
}

// logFault writes the error line of an internal fault.
func (s *Server) logFault(qid string, f *fault) {
	attrs := []slog.Attr{slog.String("queue_id", qid), slog.String("fault", f.kind), slog.String("err", f.err.Error())}
	if f.stack != nil {
		attrs = append(attrs, slog.String("stack", string(f.stack)))
	}
	s.log.LogAttrs(context.Background(), slog.LevelError, queueLabel(qid)+": internal fault, fail mode applies", attrs...)
}

// queueLabel is the Postfix-style line prefix.
func queueLabel(qid string) string {
	if qid == "" {
		return "NOQUEUE"
	}
	return qid
}

func addrString(c txn.Conn) string {
	if !c.ClientIP.IsValid() {
		return ""
	}
	return c.ClientIP.String()
}
