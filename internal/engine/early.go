package engine

import (
	"context"
	"net/netip"

	"milter91/internal/txn"
	"milter91/rules"
)

// RejectsEarly reports whether Early can reject at all: some rule is
// marked at: rcpt and some zone or block list is marked early: reject
// (the facts such a rule reads). Without both the milter asks the MTA not
// to wait for replies to RCPT (SMFIP_NR_RCPT).
func (e *Engine) RejectsEarly() bool {
	return e.opt.Rules.HasStage(rules.AtRCPT) && (e.opt.DNSBL.HasEarly() || e.opt.Lists.HasEarly())
}

// Early decides at RCPT, before DATA, for the client of conn (authUser:
// its SASL login, "" for none): the rules marked at: rcpt (shipped:
// EARLY_LOCAL_BLOCKLIST, EARLY_DNSBL) run over the facts known about the
// client then (connectionFacts), and Early returns the reply of the
// reject they decide, nil otherwise. ctx bounds the zone lookups (usually
// answered from the cache Prefetch filled); a lookup that fails is no
// listing and leaves the decision to the end of message. A client without
// an address has no such facts.
func (e *Engine) Early(ctx context.Context, conn txn.Conn, authUser string) *txn.Reply {
	if !conn.ClientIP.IsValid() || !e.RejectsEarly() {
		return nil
	}
	in := rules.Input{Txn: &txn.Transaction{Conn: conn, AuthUser: authUser}, Facts: e.connectionFacts(ctx, conn.ClientIP)}
	v, err := e.opt.Rules.EvaluateInput(ctx, rules.AtRCPT, in)
	if err != nil || v.Action != txn.ActionReject {
		return nil
	}
	return &v.Reply
}

// connectionFacts are the facts known at RCPT about the client ip: the
// hits of the allow lists and of the block lists marked early: reject
// (dnsbl.LocalLists.EarlyHits), and the listings of the zones, or codes,
// marked early: reject (dnsbl.Checker.EarlyListings).
func (e *Engine) connectionFacts(ctx context.Context, ip netip.Addr) *txn.Facts {
	f := &txn.Facts{}
	if l := e.opt.Lists; l != nil {
		f.Lists = l.EarlyHits(ip)
	}
	if c := e.opt.DNSBL; c != nil {
		f.DNSBL = c.EarlyListings(ctx, e.opt.Resolver, ip)
	}
	return f
}
