package registry

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Refusal is a recipient's refusal of an advertiser's emails
// (Decree 91/2020 Art. 13.4, 20), effective at once (Art. 20.3: no grace
// period) and kept ≥ 1 year after last use (Art. 11.7).
type Refusal struct {
	// Advertiser is the advertiser id: a lower-case organizational domain.
	Advertiser string
	// Recipient is the refusing address, stored lower-cased.
	Recipient string
	// Scope is ScopeAll or one product/group identifier (Art. 13.4),
	// matched against the message's product ids (e.g. the List-Id id).
	Scope string
	// Time the refusal was received; required.
	Time time.Time
	// Channel is how it arrived: ChannelWeb, ChannelEmail, ChannelPhone
	// (Art. 20.2), ChannelAPI or ChannelCaptured.
	Channel string
	// Evidence is free text or a URL pointing to the proof (Art. 11.7).
	Evidence string
	// LastUsedAt is when the refusal last stopped an ad (or was recorded);
	// retention counts from it. Zero on AddRefusal means Time.
	LastUsedAt time.Time
}

// normalize validates r and returns it with normalised ids, times
// truncated to the millisecond and LastUsedAt defaulted. The error is an
// *InvalidError.
func (r Refusal) normalize() (Refusal, error) {
	r, errs := r.checkFields()
	var none time.Time
	errs = append(errs, normTimes(&r.Time, &r.LastUsedAt, &none)...)
	return r, invalid(errs...)
}

// checkFields validates and normalises everything but the times.
func (r Refusal) checkFields() (Refusal, []error) {
	var errs []error
	var err error
	if r.Advertiser, err = checkAdvertiser(r.Advertiser); err != nil {
		errs = append(errs, err)
	}
	if r.Recipient, err = checkRecipient(r.Recipient); err != nil {
		errs = append(errs, err)
	}
	if r.Scope, err = normScope(r.Scope); err != nil {
		errs = append(errs, err)
	}
	r.Channel = strings.ToLower(strings.TrimSpace(r.Channel))
	if !validChannel(r.Channel) {
		errs = append(errs, fmt.Errorf("channel %q: want %s, %s, %s, %s or %s", r.Channel,
			ChannelWeb, ChannelEmail, ChannelPhone, ChannelAPI, ChannelCaptured))
	}
	r.Evidence = strings.TrimSpace(r.Evidence)
	if err := checkEvidence(r.Evidence); err != nil {
		errs = append(errs, err)
	}
	return r, errs
}

// refusalUpsert records a refusal. For an existing (advertiser, recipient,
// scope) the later refusal's time, channel and evidence are kept: the
// latest refusal is the one a later consent must postdate to lift it.
// Written for Store.q.
const refusalUpsert = `INSERT INTO refusals
	(advertiser, recipient, scope, refused_at, channel, evidence, last_used_at)
	VALUES (?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (advertiser, recipient, scope) DO UPDATE SET
		refused_at = GREATEST(refusals.refused_at, excluded.refused_at),
		channel = CASE WHEN excluded.refused_at > refusals.refused_at THEN excluded.channel ELSE refusals.channel END,
		evidence = CASE WHEN excluded.refused_at > refusals.refused_at THEN excluded.evidence ELSE refusals.evidence END,
		last_used_at = GREATEST(refusals.last_used_at, excluded.last_used_at)`

// AddRefusal validates r and records it durably; it takes effect for the
// next Recipient call (Art. 20.3). Errors: an *InvalidError (ErrInvalid)
// naming every invalid field, or the store's.
func (s *Store) AddRefusal(ctx context.Context, r Refusal) error {
	r, err := r.normalize()
	if err != nil {
		return fmt.Errorf("registry: refusal: %w", err)
	}
	return s.write(ctx, func(tx *sql.Tx) error { return s.insertRefusal(ctx, tx, r) })
}

func (s *Store) insertRefusal(ctx context.Context, tx *sql.Tx, r Refusal) error {
	_, err := tx.ExecContext(ctx, s.q(refusalUpsert), r.Advertiser, r.Recipient, r.Scope, ms(r.Time),
		r.Channel, r.Evidence, ms(r.LastUsedAt))
	if err != nil {
		return fmt.Errorf("registry: add refusal: %w", err)
	}
	return nil
}
