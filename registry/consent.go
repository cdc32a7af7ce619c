package registry

import (
	"context"
	"database/sql"
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

// Filter selects records for listing; empty fields match everything.
type Filter struct {
	Advertiser string
	Recipient  string
}

// normalize validates c and returns it with normalised ids, times
// truncated to the millisecond and LastUsedAt defaulted.
func (c Consent) normalize() (Consent, error) {
	c, errs := c.checkFields()
	errs = append(errs, normTimes(&c.Time, &c.LastUsedAt, &c.RevokedAt)...)
	return c, joinErrs(errs)
}

// checkFields validates and normalises everything but the times.
func (c Consent) checkFields() (Consent, []error) {
	var errs []error
	var err error
	if c.Advertiser, err = checkAdvertiser(c.Advertiser); err != nil {
		errs = append(errs, err)
	}
	if c.Recipient, err = normAddress(c.Recipient); err != nil {
		errs = append(errs, fmt.Errorf("recipient: %w", err))
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
// existing pair). Errors name every invalid field.
func (s *Store) AddConsent(ctx context.Context, c Consent) error {
	c, err := c.normalize()
	if err != nil {
		return fmt.Errorf("registry: consent: %w", err)
	}
	return s.write(ctx, func(tx *sql.Tx) error { return s.insertConsent(ctx, tx, c) })
}

func (s *Store) insertConsent(ctx context.Context, tx *sql.Tx, c Consent) error {
	_, err := tx.ExecContext(ctx, s.q(consentUpsert), c.Advertiser, c.Recipient, c.Method, ms(c.Time),
		c.Evidence, c.MaxPerDay, nullMS(c.RevokedAt), ms(c.LastUsedAt))
	if err != nil {
		return fmt.Errorf("registry: add consent: %w", err)
	}
	return nil
}

// RevokeConsent withdraws the active consent of rcpt for advertiser at now
// (Art. 11.2: without consent no ad may be sent). It reports false when no
// active consent exists.
func (s *Store) RevokeConsent(ctx context.Context, advertiser, rcpt string, now time.Time) (bool, error) {
	adv, err := normAdvertiser(advertiser)
	if err != nil {
		return false, fmt.Errorf("registry: %w", err)
	}
	addr, err := normAddress(rcpt)
	if err != nil {
		return false, fmt.Errorf("registry: recipient: %w", err)
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

// ListConsents returns the consents matching f, ordered by advertiser and
// recipient.
func (s *Store) ListConsents(ctx context.Context, f Filter) ([]Consent, error) {
	var out []Consent
	err := s.eachConsent(ctx, f, func(c Consent) error {
		out = append(out, c)
		return nil
	})
	return out, err
}

// eachConsent streams the consents matching f to fn in key order.
func (s *Store) eachConsent(ctx context.Context, f Filter, fn func(Consent) error) error {
	where, args, err := filterSQL(f)
	if err != nil {
		return err
	}
	return s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.q(`SELECT advertiser, recipient, method, consented_at, evidence,
			max_per_day, revoked_at, last_used_at FROM consents`+where+` ORDER BY advertiser, recipient`), args...)
		if err != nil {
			return fmt.Errorf("registry: list consents: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c Consent
			var at, last int64
			var revoked sql.NullInt64
			if err := rows.Scan(&c.Advertiser, &c.Recipient, &c.Method, &at, &c.Evidence, &c.MaxPerDay, &revoked, &last); err != nil {
				return fmt.Errorf("registry: list consents: %w", err)
			}
			c.Time, c.LastUsedAt = fromMS(at), fromMS(last)
			if revoked.Valid {
				c.RevokedAt = fromMS(revoked.Int64)
			}
			if err := fn(c); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// filterSQL turns f into a WHERE clause on advertiser and recipient.
func filterSQL(f Filter) (string, []any, error) {
	var conds []string
	var args []any
	if f.Advertiser != "" {
		adv, err := normAdvertiser(f.Advertiser)
		if err != nil {
			return "", nil, fmt.Errorf("registry: %w", err)
		}
		conds, args = append(conds, "advertiser = ?"), append(args, adv)
	}
	if f.Recipient != "" {
		addr, err := normAddress(f.Recipient)
		if err != nil {
			return "", nil, fmt.Errorf("registry: recipient: %w", err)
		}
		conds, args = append(conds, "recipient = ?"), append(args, addr)
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// nullMS stores a zero time as NULL.
func nullMS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ms(t)
}
