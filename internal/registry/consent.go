package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Consent is one recipient's consent to an advertiser's emails
// (Decree 91/2020 Art. 11.2), kept ≥ 1 year after last use (Art. 11.7).
type Consent struct {
	// Advertiser is the advertiser id: a lower-case organizational domain.
	Advertiser string
	// Recipient is the consenting address, stored lower-cased.
	Recipient string
	// Method is MethodForm, MethodCallSMS or MethodSoftware (Art. 11.2 b–d).
	Method string
	// Time the consent was given; required.
	Time time.Time
	// Evidence is free text or a URL pointing to the proof (Art. 11.7).
	Evidence string
	// MaxPerDay is the agreed maximum of ads per rolling 24 h that
	// overrides DefaultCap (Art. 13.5); 0 means none agreed.
	MaxPerDay int
	// RevokedAt is when the consent was withdrawn; zero while active.
	RevokedAt time.Time
	// LastUsedAt is when the consent last let an ad through (or was
	// recorded); retention counts from it (Art. 11.7). Zero on AddConsent
	// means the later of Time and RevokedAt.
	LastUsedAt time.Time
}

// normalize validates c and returns it with normalised ids, times
// truncated to the millisecond and LastUsedAt defaulted. The error is an
// *InvalidError.
func (c Consent) normalize() (Consent, error) {
	c, errs := c.checkFields()
	errs = append(errs, normTimes(&c.Time, &c.LastUsedAt, &c.RevokedAt)...)
	return c, invalid(errs...)
}

// checkFields validates and normalises everything but the times.
func (c Consent) checkFields() (Consent, []error) {
	var errs []error
	var err error
	if c.Advertiser, err = checkAdvertiser(c.Advertiser); err != nil {
		errs = append(errs, err)
	}
	if c.Recipient, err = checkRecipient(c.Recipient); err != nil {
		errs = append(errs, err)
	}
	c.Method = strings.ToLower(strings.TrimSpace(c.Method))
	if !validMethod(c.Method) {
		errs = append(errs, fmt.Errorf("method %q: want %s, %s or %s", c.Method, MethodForm, MethodCallSMS, MethodSoftware))
	}
	if c.MaxPerDay < 0 || c.MaxPerDay > MaxAgreedCap {
		errs = append(errs, fmt.Errorf("max_per_day %d: want 1..%d, or 0 for the default %d", c.MaxPerDay, MaxAgreedCap, DefaultCap))
	}
	c.Evidence = strings.TrimSpace(c.Evidence)
	if err := checkEvidence(c.Evidence); err != nil {
		errs = append(errs, err)
	}
	return c, errs
}

// consentUpsert records a consent. For an existing pair:
//   - a consent given later replaces the stored one (a fresh consent,
//     which also ends an earlier revocation);
//   - the same consent (same time) updates method, evidence and maximum,
//     but a recorded revocation stays (the earlier of the two);
//   - an older consent is ignored, so a stale file cannot undo a
//     revocation.
//
// Written for Store.q; both coalesce calls are NULL only together, so
// LEAST means the same on both backends.
const consentUpsert = `INSERT INTO consents
	(advertiser, recipient, method, consented_at, evidence, max_per_day, revoked_at, last_used_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (advertiser, recipient) DO UPDATE SET
		method = excluded.method,
		evidence = excluded.evidence,
		max_per_day = excluded.max_per_day,
		revoked_at = CASE
			WHEN excluded.consented_at > consents.consented_at THEN excluded.revoked_at
			ELSE LEAST(coalesce(consents.revoked_at, excluded.revoked_at), coalesce(excluded.revoked_at, consents.revoked_at))
		END,
		consented_at = excluded.consented_at,
		last_used_at = GREATEST(consents.last_used_at, excluded.last_used_at)
	WHERE excluded.consented_at >= consents.consented_at`

// AddConsent validates c and records it durably (see consentUpsert for an
// existing pair). changed is false when a consent given later is on record
// and c was ignored. Errors: an *InvalidError (ErrInvalid) naming every
// invalid field, or the store's.
func (s *Store) AddConsent(ctx context.Context, c Consent) (changed bool, err error) {
	c, err = c.normalize()
	if err != nil {
		return false, fmt.Errorf("registry: consent: %w", err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(consentUpsert), consentArgs(c)...)
		if err == nil {
			var n int64
			n, err = res.RowsAffected()
			changed = n > 0
		}
		if err != nil {
			return fmt.Errorf("registry: add consent: %w", err)
		}
		return nil
	})
	return changed, err
}

// RevokeConsent withdraws the active consent of rcpt for advertiser at now
// (Art. 11.2: without consent no ad may be sent). It reports false when no
// active consent exists.
func (s *Store) RevokeConsent(ctx context.Context, advertiser, rcpt string, now time.Time) (bool, error) {
	adv, err := normAdvertiser(advertiser)
	if err != nil {
		return false, fmt.Errorf("registry: %w", invalid(err))
	}
	addr, err := checkRecipient(rcpt)
	if err != nil {
		return false, fmt.Errorf("registry: %w", invalid(err))
	}
	var n int64
	err = s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE consents SET revoked_at = GREATEST(consented_at, ?), last_used_at = GREATEST(last_used_at, ?)
			WHERE advertiser = ? AND recipient = ? AND revoked_at IS NULL`), ms(now), ms(now), adv, addr)
		if err != nil {
			return fmt.Errorf("registry: revoke consent: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n > 0, err
}

// nullMS stores a zero time as NULL.
func nullMS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ms(t)
}

// HasConsents reports whether advertiser has at least one consent on
// record that is not revoked: an advertiser sending
// with none most likely never had its consents imported (Art. 11.2).
// Advertiser "" or invalid is an error. One index probe (the consents
// primary key starts with the advertiser).
func (s *Store) HasConsents(ctx context.Context, advertiser string) (bool, error) {
	adv, err := normAdvertiser(advertiser)
	if err != nil {
		return false, fmt.Errorf("registry: %w", err)
	}
	var has bool
	err = s.read(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM consents WHERE advertiser = ? AND revoked_at IS NULL LIMIT 1`), adv).Scan(&one)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return nil
		case err != nil:
			return fmt.Errorf("registry: read consents: %w", err)
		}
		has = true
		return nil
	})
	return has, err
}

// CountConsents returns the number of consents on record that are not
// revoked, for the start-up warning of a registry without any.
func (s *Store) CountConsents(ctx context.Context) (int64, error) {
	var n int64
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM consents WHERE revoked_at IS NULL`).Scan(&n); err != nil {
			return fmt.Errorf("registry: count consents: %w", err)
		}
		return nil
	})
	return n, err
}
