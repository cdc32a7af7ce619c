package userblock

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Filter selects entries for List; empty fields match everything.
type Filter struct {
	Recipient string
	Kind      string
	// After continues a listing after this key (keyset pagination); the
	// zero Key starts at the first entry.
	After Key
	// Limit bounds the entries returned, 1 or more.
	Limit int
}

// List returns the entries matching f in key order (recipient, kind,
// value; byte-wise on both backends). Errors: ErrInvalid for a bad
// filter, or the store's.
func (s *Store) List(ctx context.Context, f Filter) ([]Block, error) {
	where, args, err := f.sql()
	if err != nil {
		return nil, err
	}
	var out []Block
	err = s.db.Read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.db.Rebind(`SELECT recipient, kind, value, added_at, source, note FROM user_blocks`+where), args...)
		if err != nil {
			return err
		}
		out, err = scanBlocks(rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("userblock: list: %w", err)
	}
	return out, nil
}

// sql turns f into WHERE, ORDER BY and LIMIT clauses.
func (f Filter) sql() (string, []any, error) {
	var conds []string
	var args []any
	var errs []error
	if f.Recipient != "" {
		r, err := normValue(KindAddress, f.Recipient)
		if err != nil {
			errs = append(errs, fmt.Errorf("recipient: %w", err))
		}
		conds, args = append(conds, "recipient = ?"), append(args, r)
	}
	if f.Kind != "" {
		if f.Kind != KindAddress && f.Kind != KindDomain && f.Kind != KindAdvertiser {
			errs = append(errs, fmt.Errorf("kind %q: want %s, %s or %s", f.Kind, KindAddress, KindDomain, KindAdvertiser))
		}
		conds, args = append(conds, "kind = ?"), append(args, f.Kind)
	}
	if f.After != (Key{}) {
		conds = append(conds, "(recipient, kind, value) > (?, ?, ?)")
		args = append(args, f.After.Recipient, f.After.Kind, f.After.Value)
	}
	if f.Limit < 1 {
		errs = append(errs, fmt.Errorf("limit %d: want 1 or more", f.Limit))
	}
	if len(errs) > 0 {
		return "", nil, &InvalidError{Reasons: errs}
	}
	q := ""
	if len(conds) > 0 {
		q = " WHERE " + strings.Join(conds, " AND ")
	}
	return q + " ORDER BY recipient, kind, value LIMIT ?", append(args, f.Limit), nil
}

func scanBlocks(rows *sql.Rows) ([]Block, error) {
	defer rows.Close()
	var out []Block
	for rows.Next() {
		var b Block
		var at int64
		if err := rows.Scan(&b.Recipient, &b.Kind, &b.Value, &at, &b.Source, &b.Note); err != nil {
			return nil, err
		}
		b.Time = time.UnixMilli(at).UTC()
		out = append(out, b)
	}
	return out, rows.Err()
}
