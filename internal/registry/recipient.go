package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"milter91/internal/txn"
)

// touchInterval is the resolution of last_used_at: a record is re-touched
// only when its last use is older than this, so that the common lookup is
// a read without a durable write. Retention is counted in years
// (Art. 11.7), so a day of slack does not matter.
const touchInterval = 24 * time.Hour

// lookup is what one Recipient read found.
type lookup struct {
	consent     bool
	consentedAt int64
	cap         int
	touchCons   bool
	refused     bool
	touchScopes []string
}

// Recipient returns the registry facts for one recipient of an
// advertising email from advertiser, as of now:
//   - Consent: a consent for the pair with time ≤ now and not revoked by
//     now (Art. 11.2);
//   - Cap: the consent's agreed maximum per 24 h, else the store's
//     default cap (DefaultCap unless SetDefaultCap changed it)
//     (Art. 13.5);
//   - Refused: a refusal received at or before now whose scope is ScopeAll
//     or one of products (normalised like List-Id ids, RFC 2919 §3), and
//     that no active consent given after it lifts (Art. 13.4, 20.3).
//
// Rcpt is rcpt as given; Sent24h is left 0 (ReserveSend counts per
// direction). The consent and the refusals used get last_used_at = now,
// at most once per touchInterval. Errors: invalid advertiser or address,
// database failure.
func (s *Store) Recipient(ctx context.Context, advertiser, rcpt string, products []string, now time.Time) (txn.DecreeRecipient, error) {
	out := txn.DecreeRecipient{Rcpt: rcpt, Cap: s.defaultCap}
	adv, err := normAdvertiser(advertiser)
	if err != nil {
		return out, fmt.Errorf("registry: %w", err)
	}
	addr, err := normAddress(rcpt)
	if err != nil {
		return out, fmt.Errorf("registry: recipient: %w", err)
	}
	var l lookup
	if err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		l, err = readRecipient(ctx, tx, s.hot, adv, addr, products, ms(now))
		return err
	}); err != nil {
		return out, err
	}
	out.Consent, out.Refused = l.consent, l.refused
	if l.cap > 0 {
		out.Cap = l.cap
	}
	if l.touchCons || len(l.touchScopes) > 0 {
		err = s.write(ctx, func(tx *sql.Tx) error { return s.touch(ctx, tx, adv, addr, l, ms(now)) })
	}
	return out, err
}

// readRecipient reads the consent and the refusals of (adv, addr).
func readRecipient(ctx context.Context, tx *sql.Tx, hot *hotStmts, adv, addr string, products []string, now int64) (lookup, error) {
	var l lookup
	var maxPerDay int
	var last int64
	var revoked sql.NullInt64
	err := tx.StmtContext(ctx, hot.consent).QueryRowContext(ctx, adv, addr).Scan(&l.consentedAt, &maxPerDay, &revoked, &last)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return l, fmt.Errorf("registry: read consent: %w", err)
	default:
		l.consent = l.consentedAt <= now && (!revoked.Valid || revoked.Int64 > now)
	}
	if l.consent {
		if maxPerDay > 0 {
			l.cap = maxPerDay
		}
		l.touchCons = last < now-touchInterval.Milliseconds()
	}
	rows, err := tx.StmtContext(ctx, hot.refusals).QueryContext(ctx, adv, addr)
	if err != nil {
		return l, fmt.Errorf("registry: read refusals: %w", err)
	}
	defer rows.Close()
	wanted := normProducts(products)
	for rows.Next() {
		var scope string
		var at, used int64
		if err := rows.Scan(&scope, &at, &used); err != nil {
			return l, fmt.Errorf("registry: read refusals: %w", err)
		}
		lifted := l.consent && l.consentedAt > at
		if at > now || lifted || (scope != ScopeAll && !slices.Contains(wanted, scope)) {
			continue
		}
		l.refused = true
		if used < now-touchInterval.Milliseconds() {
			l.touchScopes = append(l.touchScopes, scope)
		}
	}
	if err := rows.Err(); err != nil {
		return l, fmt.Errorf("registry: read refusals: %w", err)
	}
	return l, nil
}

// touch sets last_used_at = now on the consent and refusals l used.
func (s *Store) touch(ctx context.Context, tx *sql.Tx, adv, addr string, l lookup, now int64) error {
	if l.touchCons {
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE consents SET last_used_at = GREATEST(last_used_at, ?)
			WHERE advertiser = ? AND recipient = ?`), now, adv, addr); err != nil {
			return fmt.Errorf("registry: touch consent: %w", err)
		}
	}
	for _, scope := range l.touchScopes {
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE refusals SET last_used_at = GREATEST(last_used_at, ?)
			WHERE advertiser = ? AND recipient = ? AND scope = ?`), now, adv, addr, scope); err != nil {
			return fmt.Errorf("registry: touch refusal: %w", err)
		}
	}
	return nil
}

// normProducts normalises the message's product ids, dropping empty ones.
func normProducts(products []string) []string {
	out := make([]string, 0, len(products))
	for _, p := range products {
		if p = normProduct(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
