package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Filter selects records for listing; empty fields match everything.
type Filter struct {
	Advertiser string
	Recipient  string
	// After continues a listing: only records whose Key sorts after it
	// (keyset pagination, so that a page is the same whatever was added
	// or removed before it). The zero Key starts at the first record.
	After Key
	// Limit bounds the records returned, 0 meaning none; ListConsents and
	// ListRefusals hold a page in memory, EachConsent and EachRefusal
	// stream.
	Limit int
}

// Key is a record's place in the listing order: advertiser, recipient and,
// for a refusal, scope, compared byte-wise on both backends (COLLATE "C"
// on PostgreSQL). A consent's key has no Scope.
type Key struct {
	Advertiser, Recipient, Scope string
}

// Key returns c's place in the listing order.
func (c Consent) Key() Key { return Key{Advertiser: c.Advertiser, Recipient: c.Recipient} }

// Key returns r's place in the listing order.
func (r Refusal) Key() Key {
	return Key{Advertiser: r.Advertiser, Recipient: r.Recipient, Scope: r.Scope}
}

// ListConsents returns the consents matching f, ordered by advertiser and
// recipient. Errors: ErrInvalid for a bad filter, or the store's.
func (s *Store) ListConsents(ctx context.Context, f Filter) ([]Consent, error) {
	return collect(func(fn func(Consent) error) error { return s.EachConsent(ctx, f, fn) })
}

// EachConsent streams the consents matching f to fn in key order, from one
// snapshot; an error of fn stops it and is returned as is.
func (s *Store) EachConsent(ctx context.Context, f Filter, fn func(Consent) error) error {
	where, args, err := filterSQL(f, "advertiser", "recipient")
	if err != nil {
		return err
	}
	return s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.q(`SELECT advertiser, recipient, method, consented_at, evidence,
			max_per_day, revoked_at, last_used_at FROM consents`+where), args...)
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

// ListRefusals returns the refusals matching f, ordered by advertiser,
// recipient and scope. Errors: ErrInvalid for a bad filter, or the store's.
func (s *Store) ListRefusals(ctx context.Context, f Filter) ([]Refusal, error) {
	return collect(func(fn func(Refusal) error) error { return s.EachRefusal(ctx, f, fn) })
}

// collect returns what each yields.
func collect[T any](each func(func(T) error) error) ([]T, error) {
	var out []T
	err := each(func(v T) error {
		out = append(out, v)
		return nil
	})
	return out, err
}

// EachRefusal streams the refusals matching f to fn in key order, from one
// snapshot; an error of fn stops it and is returned as is.
func (s *Store) EachRefusal(ctx context.Context, f Filter, fn func(Refusal) error) error {
	where, args, err := filterSQL(f, "advertiser", "recipient", "scope")
	if err != nil {
		return err
	}
	return s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.q(`SELECT advertiser, recipient, scope, refused_at, channel, evidence,
			last_used_at FROM refusals`+where), args...)
		if err != nil {
			return fmt.Errorf("registry: list refusals: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r Refusal
			var at, last int64
			if err := rows.Scan(&r.Advertiser, &r.Recipient, &r.Scope, &at, &r.Channel, &r.Evidence, &last); err != nil {
				return fmt.Errorf("registry: list refusals: %w", err)
			}
			r.Time, r.LastUsedAt = fromMS(at), fromMS(last)
			if err := fn(r); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// filterSQL turns f into the WHERE, ORDER BY and LIMIT clauses of a listing
// whose key is keyCols. Errors are ErrInvalid.
func filterSQL(f Filter, keyCols ...string) (string, []any, error) {
	var conds []string
	var args []any
	if f.Advertiser != "" {
		adv, err := normAdvertiser(f.Advertiser)
		if err != nil {
			return "", nil, fmt.Errorf("registry: %w", invalid(err))
		}
		conds, args = append(conds, "advertiser = ?"), append(args, adv)
	}
	if f.Recipient != "" {
		addr, err := checkRecipient(f.Recipient)
		if err != nil {
			return "", nil, fmt.Errorf("registry: %w", invalid(err))
		}
		conds, args = append(conds, "recipient = ?"), append(args, addr)
	}
	if f.After != (Key{}) {
		after := []string{f.After.Advertiser, f.After.Recipient, f.After.Scope}[:len(keyCols)]
		var errs []error
		for i, v := range after {
			if err := checkText("after "+keyCols[i], v); err != nil {
				errs = append(errs, err)
			}
			args = append(args, v)
		}
		if len(errs) > 0 {
			return "", nil, fmt.Errorf("registry: %w", invalid(errs...))
		}
		// A row value comparison: both backends walk the primary key from
		// there (SQLite ≥ 3.15, PostgreSQL).
		conds = append(conds, "("+strings.Join(keyCols, ", ")+") > ("+strings.TrimSuffix(strings.Repeat("?, ", len(keyCols)), ", ")+")")
	}
	var q strings.Builder
	if len(conds) > 0 {
		q.WriteString(" WHERE " + strings.Join(conds, " AND "))
	}
	q.WriteString(" ORDER BY " + strings.Join(keyCols, ", "))
	switch {
	case f.Limit < 0:
		return "", nil, fmt.Errorf("registry: %w", invalid(errors.New("negative limit")))
	case f.Limit > 0:
		q.WriteString(" LIMIT ?")
		args = append(args, f.Limit)
	}
	return q.String(), args, nil
}

// checkRecipient is normAddress for management input: a value that is not
// UTF-8 or holds a NUL is refused rather than stored as U+FFFD or failed
// by PostgreSQL.
func checkRecipient(a string) (string, error) {
	if err := checkText("recipient", a); err != nil {
		return "", err
	}
	addr, err := normAddress(a)
	if err != nil {
		return "", fmt.Errorf("recipient: %w", err)
	}
	return addr, nil
}
