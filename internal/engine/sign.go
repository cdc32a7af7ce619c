package engine

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"milter91/decree/stage"
	"milter91/internal/dkimsign"
	"milter91/internal/txn"
)

// Signing says which mail the engine asks the adapter to sign with DKIM
// (RFC 6376): outbound mail (Directions: an outbound listener or
// {daemon_name}, or a SASL login) whose single RFC5322.From domain has a
// signing key and which the Authorizer allows.
type Signing struct {
	Keys       *dkimsign.KeySet
	Authorizer *dkimsign.Authorizer
	Directions stage.Directions
	// Expire, when positive, adds x= (RFC 6376 §3.5).
	Expire time.Duration
}

// signing is the last part of the edits step: the signing request of an
// accepted, tagged or quarantined outbound message, or why a SASL user
// gets none ("" when the message is simply not one to sign: inbound, or
// a From domain without a key).
func (e *Engine) signing(m *message, v txn.Verdict) (*txn.Signing, string) {
	s := e.opt.Signing
	if s == nil || s.Keys.Domains() == 0 || v.Action > txn.ActionQuarantine ||
		s.Directions.Of(m.t) != txn.DirectionOutbound {
		return nil, ""
	}
	addrs := m.f.FromAddresses
	if len(addrs) != 1 {
		return nil, fmt.Sprintf("From holds %d addresses, not one: no DKIM signature", len(addrs))
	}
	domain := addrs[0][strings.LastIndexByte(addrs[0], '@')+1:]
	if len(s.Keys.Signing(domain)) == 0 {
		return nil, ""
	}
	if ok, why := s.Authorizer.Allow(m.t.AuthUser, domain); !ok {
		return nil, why
	}
	keys, opts := s.Keys, dkimsign.Options{Expire: s.Expire}
	return &txn.Signing{Domain: domain, Sign: func(ctx context.Context, headers []txn.Header, body io.Reader) ([]txn.Header, error) {
		return keys.Sign(ctx, domain, headers, body, opts)
	}}, ""
}
