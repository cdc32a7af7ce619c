package engine

import (
	"context"

	"milter91/internal/txn"
)

// Early decides at RCPT, before DATA, for the client of conn: a reply
// rejecting it when a local block list or a blocklist zone marked
// "early: reject" lists its address, nil otherwise. Authenticated
// submissions (authUser set) and clients on an allow list matched against
// the client address are never rejected early. ctx bounds the zone
// lookups (usually answered from the cache Prefetch filled); a lookup
// that fails leaves the decision to the end of message.
// RejectsEarly reports whether Early can reject at all: some zone or
// block list is marked early: reject. Without one the milter asks the MTA
// not to wait for replies to RCPT (SMFIP_NR_RCPT).
func (e *Engine) RejectsEarly() bool {
	return e.opt.DNSBL.HasEarly() || e.opt.Lists.HasEarly()
}

func (e *Engine) Early(ctx context.Context, conn txn.Conn, authUser string) *txn.Reply {
	ip := conn.ClientIP
	if !ip.IsValid() || authUser != "" {
		return nil
	}
	ipText := ip.Unmap().String()
	if l := e.opt.Lists; l != nil {
		if hit, ok := l.Early(ip); ok {
			return &txn.Reply{Code: 554, Enhanced: "5.7.1", Text: "Service unavailable; client [" + ipText + "] listed in " + hit.List}
		}
		if l.AllowsClient(ip) {
			return nil
		}
	}
	if c := e.opt.DNSBL; c != nil {
		if f, ok := c.Early(ctx, e.opt.Resolver, ip); ok {
			zone := f.Zone
			if f.Secret {
				zone = "a DNS blocklist"
			}
			return &txn.Reply{Code: 554, Enhanced: "5.7.1", Text: "Service unavailable; client [" + ipText + "] blocked using " + zone}
		}
	}
	return nil
}
