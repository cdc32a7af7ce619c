package engine

import (
	"context"
	"fmt"

	"milter91/internal/auth"
	"milter91/internal/dmarc"
	"milter91/internal/txn"
)

// checks are the steps that run concurrently: SPF, DKIM, ARC, when a zone
// or a local list is configured the lists and blocklists, and the content
// classifier and the content signals when they are on. A DNS timeout is
// a temperror fact, not a fault.
func (e *Engine) checks() []step {
	steps := []step{{"spf", e.checkSPF}, {"dkim", e.verifyDKIM}, {"arc", e.checkARC}}
	if e.opt.DNSBL != nil || e.opt.Lists != nil {
		steps = append(steps, step{"dnsbl", e.checkLists})
	}
	if e.opt.Bayes != nil {
		steps = append(steps, step{"bayes", e.classify})
	}
	if e.opt.ContentFacts {
		steps = append(steps, step{"content", e.findContent})
	}
	return steps
}

// checkSPF checks the envelope sender, or the HELO name for the null
// sender (RFC 7208 §2.3, §2.4): Facts.SPF.
func (e *Engine) checkSPF(ctx context.Context, m *message) error {
	c := m.t.Conn
	m.f.SPF = auth.CheckSPF(ctx, e.opt.Resolver, c.ClientIP, c.HELO, m.t.MailFrom)
	return nil
}

// verifyDKIM verifies up to MaxDKIM signatures (RFC 6376 §6): Facts.DKIM.
// A body that cannot be read is a fault, unless ctx ended.
func (e *Engine) verifyDKIM(ctx context.Context, m *message) error {
	dkim, err := auth.VerifyDKIMFields(ctx, e.opt.Resolver, m.t.Headers, m.t.BodyReader(), e.opt.MaxDKIM)
	m.f.DKIM = dkim
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("reading message: %w", err)
	}
	return nil
}

// checkARC validates the ARC chain (RFC 8617 §5.2): Facts.ARC. A body
// that cannot be read is a fault, unless ctx ended.
func (e *Engine) checkARC(ctx context.Context, m *message) error {
	a, err := auth.CheckARC(ctx, e.opt.Resolver, m.t.Headers, m.t.BodyReader())
	m.f.ARC = a
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("reading message: %w", err)
	}
	return nil
}

// checkDMARC evaluates the From domain's policy (RFC 9989: the DNS tree
// walk, or the PSL with Options.DMARCPSL) from the SPF and DKIM facts:
// Facts.DMARC.
func (e *Engine) checkDMARC(ctx context.Context, m *message) error {
	m.f.DMARC = auth.CheckDMARC(ctx, &dmarc.Checker{R: e.opt.Resolver, PSL: e.psl()}, m.msg.From, m.f.SPF, m.f.DKIM)
	return nil
}

// temperrors names the checks whose result is temperror (RFC 8601 §2.7).
func temperrors(f *txn.Facts) []string {
	var out []string
	if f.SPF.Result == txn.ResultTemperror {
		out = append(out, "spf")
	}
	for _, d := range f.DKIM {
		if d.Result == txn.ResultTemperror {
			out = append(out, "dkim")
			break
		}
	}
	if f.DMARC.Result == txn.ResultTemperror {
		out = append(out, "dmarc")
	}
	if f.ARC.Result == txn.ResultTemperror {
		out = append(out, "arc")
	}
	for _, b := range f.DNSBL {
		if b.Result == "temperror" {
			out = append(out, "dnsbl")
			break
		}
	}
	return out
}

// psl is the PSL method of DMARC discovery when configured, nil for the
// tree walk.
func (e *Engine) psl() func(string) string {
	if e.opt.DMARCPSL {
		return auth.PSL
	}
	return nil
}
