package rules

import (
	"context"
	"strings"

	"milter91/internal/txn"
)

// maxDetail bounds one Match.Detail, in bytes.
const maxDetail = 200

// matched is one rule that matched, with why.
type matched struct {
	r   *rule
	hit Hit
}

// Evaluate runs every enabled rule, in file order, over one message.
// Score is the sum of the matched rules' scores. If a matched rule forces an
// action, the most severe forced action wins (Forced is set), even when the
// score alone would give a different one; otherwise the score decides:
// reject from RejectAt, quarantine from QuarantineAt, tag from TagAt
// (thresholds of 0 are off). Reject and tempfail carry an SMTP reply: the
// first deciding rule's own, or a default (see defaultReply).
// A nil t or f is read as an empty one; Evaluate never panics on facts.
func (s *Set) Evaluate(t *txn.Transaction, f *txn.Facts) txn.Verdict {
	v, _ := s.EvaluateContext(context.Background(), t, f)
	return v
}

// EvaluateContext is Evaluate under ctx: when ctx ends (the message
// deadline) it stops before the next rule and returns context.Cause(ctx)
// with an unfinished verdict that must not be used. A rule over a large
// header (a regular expression over every value of a field) is linear in
// the header's size; with per-recipient facts the rules run once per
// recipient, so this bounds the whole.
func (s *Set) EvaluateContext(ctx context.Context, t *txn.Transaction, f *txn.Facts) (txn.Verdict, error) {
	return s.EvaluateInput(ctx, AtEOM, Input{Txn: t, Facts: f})
}

// EvaluateInput is EvaluateContext for the rules of stage, over in: at
// the end of the message (AtEOM) once for the message, or once per
// recipient with in.Recipient set; at RCPT (AtRCPT) over the facts known
// about the client then.
func (s *Set) EvaluateInput(ctx context.Context, stage Stage, input Input) (txn.Verdict, error) {
	st := s.Settings()
	v := txn.Verdict{TagAt: st.TagAt, RejectAt: st.RejectAt}
	if s == nil {
		return v, nil
	}
	in := &input
	if in.Txn == nil {
		in.Txn = &txn.Transaction{}
	}
	if in.Facts == nil {
		in.Facts = &txn.Facts{}
	}
	var hits []matched
	var sum float64
	for _, r := range s.rules {
		if ctx.Err() != nil {
			return v, context.Cause(ctx)
		}
		if r.disabled || r.stage != stage {
			continue
		}
		h, ok := r.when(in)
		if !ok {
			continue
		}
		hits = append(hits, matched{r: r, hit: h})
		v.Matches = append(v.Matches, txn.Match{ID: r.id, Score: r.score, Ref: r.ref, Detail: shorten(h.Detail, maxDetail)})
		sum += r.score
	}
	v.Score = roundScore(sum)
	decider := forcedDecider(hits)
	if decider != nil {
		v.Action, v.Forced = decider.r.action, true
	} else {
		v.Action = st.byScore(v.Score)
	}
	if v.Action == txn.ActionReject || v.Action == txn.ActionTempfail {
		v.Reply = reply(in, &v, hits, decider)
	}
	return v, nil
}

// byScore maps a score to an action with the thresholds that are on.
func (st Settings) byScore(score float64) txn.Action {
	switch {
	case st.RejectAt > 0 && score >= st.RejectAt:
		return txn.ActionReject
	case st.QuarantineAt > 0 && score >= st.QuarantineAt:
		return txn.ActionQuarantine
	case st.TagAt > 0 && score >= st.TagAt:
		return txn.ActionTag
	}
	return txn.ActionAccept
}

// forcedDecider returns the matched rule whose forced action decides: the
// most severe action; among rules forcing it, the first with its own reply,
// else the first. nil when no matched rule forces an action.
func forcedDecider(hits []matched) *matched {
	var best *matched
	for i := range hits {
		m := &hits[i]
		if !m.r.forced {
			continue
		}
		switch {
		case best == nil, m.r.action > best.r.action:
			best = m
		case m.r.action == best.r.action && best.r.reply == nil && m.r.reply != nil:
			best = m
		}
	}
	return best
}

// reply builds the SMTP reply of a reject or tempfail verdict. Defaults:
// by score, 550 5.7.1 "Message rejected as spam (score S/R): RULES" (the
// rules with a positive score); forced reject, 550 5.7.1 "Message rejected
// by policy: RULE"; tempfail, 451 4.7.1 "Message deferred by policy: RULE"
// (RFC 3463 §3.8: delivery not authorized).
func reply(in *Input, v *txn.Verdict, hits []matched, decider *matched) txn.Reply {
	if decider == nil {
		var ids []string
		for _, m := range hits {
			if m.r.score > 0 {
				ids = append(ids, m.r.id)
			}
		}
		if len(ids) > 10 {
			ids = append(ids[:10], "...")
		}
		return txn.Reply{Code: 550, Enhanced: "5.7.1", Text: "Message rejected as spam (score " +
			fmtScore(v.Score) + "/" + fmtScore(v.RejectAt) + "): " + strings.Join(ids, ", ")}
	}
	if decider.r.reply != nil {
		return decider.r.reply.render(placeholderValues(in, v, decider))
	}
	if v.Action == txn.ActionTempfail {
		return txn.Reply{Code: 451, Enhanced: "4.7.1", Text: "Message deferred by policy: " + decider.r.id}
	}
	return txn.Reply{Code: 550, Enhanced: "5.7.1", Text: "Message rejected by policy: " + decider.r.id}
}

// placeholderValues returns the lookup for reply placeholders. {zone} is the
// zone the deciding rule matched, else the first listing zone of the facts,
// else empty; a secret zone shows as "a DNS blocklist".
func placeholderValues(in *Input, v *txn.Verdict, m *matched) func(string) string {
	return func(name string) string {
		switch name {
		case "client_ip":
			if ip := in.Txn.Conn.ClientIP; ip.IsValid() {
				return ip.Unmap().String()
			}
			return "unknown"
		case "helo":
			return in.Txn.Conn.HELO
		case "mail_from":
			if in.Txn.MailFrom == "" {
				return "<>"
			}
			return in.Txn.MailFrom
		case "dmarc_domain":
			return in.Facts.DMARC.Domain
		case "spf_domain":
			return in.Facts.SPF.Domain
		case "zone":
			return zoneFor(in.Facts, m.hit)
		case "rule":
			return m.r.id
		case "score":
			return fmtScore(v.Score)
		}
		return decreeValue(in, name)
	}
}

func zoneFor(f *txn.Facts, h Hit) string {
	if h.Zone != "" {
		return h.Zone
	}
	for i := range f.DNSBL {
		if b := &f.DNSBL[i]; b.Listed && !b.Blocked {
			return zoneHit(b, "").Zone
		}
	}
	return ""
}
