package milter

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"milter91/internal/txn"
)

// report writes the one summary line of a message and feeds Metrics.
//
// The line's message is "QUEUEID: ACTION" ("NOQUEUE" before Postfix assigned
// one), so it sorts next to Postfix's own lines; the attributes are qid,
// client_ip, client_name, helo, from, rcpts, auth (when set), size, action,
// score and rules (when evaluated), checks (per-check durations), dns_queries,
// elapsed, reply (tempfail/reject), quarantine, limit (the limit a rejected
// message passed), fault and err. A fault also
// gets its own error line, with the stack for a panic.
func (s *Server) report(conn txn.Conn, msg *message, out *txn.Outcome, d decision, delivered []txn.Header, sendErr error, elapsed time.Duration) {
	qid := msg.macros["i"]
	if d.fault != nil {
		s.logFault(qid, d.fault)
	}
	attrs := []slog.Attr{
		slog.String("queue_id", qid),
		slog.String("client_ip", addrString(conn)),
		slog.String("client_name", conn.ClientName),
		slog.String("helo", conn.HELO),
		slog.String("from", msg.from),
		slog.Any("rcpts", slices.Clone(msg.rcpts)),
	}
	if user := msg.macros["auth_authen"]; user != "" {
		attrs = append(attrs, slog.String("auth", user))
	}
	attrs = append(attrs, slog.Int64("size", msg.size()), slog.String("action", d.action.String()))
	attrs = append(attrs, outcomeAttrs(out)...)
	attrs = append(attrs, slog.Duration("elapsed", elapsed))
	if d.reply.Code != 0 {
		attrs = append(attrs, slog.String("reply", d.reply.String()))
	}
	if d.quarantine != "" {
		attrs = append(attrs, slog.String("quarantine", d.quarantine))
	}
	if d.limit != "" {
		attrs = append(attrs, slog.String("limit", d.limit))
	}
	level := slog.LevelInfo
	if d.fault != nil {
		level = slog.LevelWarn
		attrs = append(attrs, slog.String("fault", d.fault.kind))
	}
	if sendErr != nil {
		level = slog.LevelError
		attrs = append(attrs, slog.String("err", sendErr.Error()))
	}
	s.log.LogAttrs(context.Background(), level, queueLabel(qid)+": "+d.action.String(), attrs...)
	s.observe(d, out, msg.size(), elapsed)
	s.archiveRecord(conn, msg, out, d, delivered)
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
	if len(f.Lists) > 0 {
		hits := make([]string, len(f.Lists))
		for i, h := range f.Lists {
			hits[i] = h.List + ":" + h.Kind + ":" + h.Target
		}
		attrs = append(attrs, slog.Any("lists", hits))
	}
	if d := &f.Decree; d.Advertising {
		attrs = append(attrs, slog.Group("decree91", slog.String("direction", d.Direction),
			slog.String("label", d.Label), slog.String("advertiser", d.Advertiser),
			slog.Any("missing_channels", d.MissingChannels)))
	}
	if len(out.RemoveRcpts) > 0 {
		attrs = append(attrs, slog.Any("removed_rcpts", out.RemoveRcpts))
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
	if s.opts.Metrics.Fault != nil {
		s.opts.Metrics.Fault(f.kind)
	}
}

func (s *Server) observe(d decision, out *txn.Outcome, size int64, elapsed time.Duration) {
	if s.opts.Metrics.Message == nil {
		return
	}
	st := MessageStats{Action: d.action, Elapsed: elapsed, Size: size, Limit: d.limit}
	if out != nil {
		st.Direction = out.Facts.Decree.Direction
	}
	if d.fault != nil {
		st.Fault = d.fault.kind
	}
	s.opts.Metrics.Message(st)
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
