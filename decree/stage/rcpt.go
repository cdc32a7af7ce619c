package stage

import (
	"context"
	"strings"

	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// AtRcpt returns the Decree 91/2020 facts known at RCPT about one
// recipient, before DATA, and whether there are any: only when the
// envelope sender's domain is one of AdSenders (declared by the operator
// to send nothing but ads) is the message known to be an ad and its
// advertiser known (the sender domain's organizational domain), and then
// the registry says whether rcpt refused that advertiser (all products:
// no product header is known yet; Art. 13.4). A registry failure, a
// shared mailbox provider, no registry: no facts, the end of message
// decides. t carries the connection and the SASL login for the
// direction. A nil stage has no facts.
func (s *Stage) AtRcpt(ctx context.Context, t *txn.Transaction, from, rcpt string) (txn.Decree, bool) {
	if s == nil || s.opt.Registry == nil || len(s.opt.AdSenders) == 0 {
		return txn.Decree{}, false
	}
	adv := s.envelopeAdvertiser(from)
	if adv == "" {
		return txn.Decree{}, false
	}
	r, err := s.opt.Registry.Recipient(ctx, adv, rcpt, nil, s.opt.Now())
	if err != nil {
		return txn.Decree{}, false
	}
	r.Rcpt = rcpt
	d := txn.Decree{Direction: s.opt.Directions.Of(t), Recipients: []txn.DecreeRecipient{r},
		ConsentPolicy: s.opt.ConsentPolicy}
	d.Advertising, d.Advertiser = true, adv
	return d, true
}

// envelopeAdvertiser is the organizational domain of from's domain when
// that domain is, or is under, one of AdSenders and is no shared mailbox
// provider; "" otherwise.
func (s *Stage) envelopeAdvertiser(from string) string {
	d, ok := addressDomain(from)
	if !ok {
		return ""
	}
	name := d.ASCII
	declared := false
	for _, a := range s.opt.AdSenders {
		a = strings.TrimSuffix(strings.ToLower(a), ".")
		if name == a || strings.HasSuffix(name, "."+a) {
			declared = true
			break
		}
	}
	if !declared {
		return ""
	}
	org, _ := mailmsg.OrgDomain(d)
	if org.ASCII == "" || s.opt.Shared.Has(org.ASCII) {
		return ""
	}
	return org.ASCII
}

// DecidesAtRcpt reports whether AtRcpt can give facts at all: a registry
// and some AdSenders. A nil stage cannot.
func (s *Stage) DecidesAtRcpt() bool {
	return s != nil && s.opt.Registry != nil && len(s.opt.AdSenders) > 0
}
