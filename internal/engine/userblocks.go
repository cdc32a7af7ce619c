package engine

import (
	"context"
	"strings"

	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// BlockLists are the users' own block lists (Decree 91/2020 Art. 10.2;
// *userblock.Store): the entries of rcpts' lists that block a sender with
// these addresses (the envelope sender and the From addresses) and this
// advertiser id ("" when unknown). An error is a store failure.
type BlockLists interface {
	MatchBlocks(ctx context.Context, rcpts, senders []string, advertiser string) ([]txn.UserBlock, error)
}

// userBlocks is the users' block-list step, after the Decree 91 stage
// (whose advertiser id it uses): Facts.UserBlocks. A store that fails is
// no fault: the lists are not applied, the mail goes on
// (Facts.UserBlocksUnavailable) and the failure is logged.
func (e *Engine) userBlocks(ctx context.Context, m *message) {
	if e.opt.BlockLists == nil || ctx.Err() != nil || len(m.t.Rcpts) == 0 {
		return
	}
	m.run(ctx, step{"userblocks", func(ctx context.Context, m *message) error {
		senders := append([]string{}, m.f.FromAddresses...)
		if from := strings.Trim(m.t.MailFrom, "<>"); from != "" {
			senders = append(senders, from)
		}
		hits, err := e.opt.BlockLists.MatchBlocks(ctx, m.t.Rcpts, senders, advertiserOf(m.f))
		if err != nil {
			m.f.UserBlocksUnavailable = true
			e.opt.Logger.Warn("user block lists unavailable: not applied", "queue_id", m.t.QueueID, "error", err.Error())
			return nil
		}
		m.f.UserBlocks = hits
		return nil
	}})
}

// advertiserOf is the Decree 91 stage's advertiser id, else the
// organizational domain of the one From domain.
func advertiserOf(f *txn.Facts) string {
	if f.Decree.Advertiser != "" {
		return f.Decree.Advertiser
	}
	if len(f.FromAddresses) != 1 {
		return ""
	}
	a := f.FromAddresses[0]
	d, err := mailmsg.ParseDomain(a[strings.LastIndexByte(a, '@')+1:])
	if err != nil {
		return ""
	}
	org, ok := mailmsg.OrgDomain(d)
	if !ok {
		return ""
	}
	return org.ASCII
}

// blockedRcpts are the recipients some entry of whose list matched.
func blockedRcpts(f *txn.Facts) map[string]bool {
	if len(f.UserBlocks) == 0 {
		return nil
	}
	out := map[string]bool{}
	for _, b := range f.UserBlocks {
		out[rcptKey(b.Rcpt)] = true
	}
	return out
}

// rcptKey is an envelope recipient as the block lists compare it: without
// angle brackets, lower-cased.
func rcptKey(r string) string { return strings.ToLower(strings.Trim(r, "<> ")) }
