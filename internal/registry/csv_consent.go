package registry

import (
	"context"
	"io"
	"strconv"
	"time"
)

// consentCSV is the consent file format. time, revoked_at and last_used_at
// are RFC 3339; max_per_day is empty or 1..MaxAgreedCap; an empty
// last_used_at on import means the import time (the record's creation).
var consentCSV = csvSpec{
	columns:  []string{"advertiser", "recipient", "method", "time", "evidence", "max_per_day", "revoked_at", "last_used_at"},
	required: []string{"advertiser", "recipient", "method", "time"},
}

// ImportConsents reads consents as CSV (header row required, columns in
// any order: advertiser, recipient, method, time required; evidence,
// max_per_day, revoked_at, last_used_at optional) and records them all in
// one transaction, each as AddConsent would. Every line is validated
// first, times after now included; if any is invalid nothing is applied
// and the error is an *ImportError listing every "line N: reason". It
// returns the number of records inserted or updated (a consent older than
// the stored one for its pair is ignored and not counted).
func (s *Store) ImportConsents(ctx context.Context, r io.Reader, now time.Time) (int, error) {
	return importRows(ctx, s, r, now, rowImport[Consent]{
		what: "consents", spec: consentCSV, parse: parseConsentRow, args: consentArgs, upsert: consentUpsert,
		key: Consent.Key,
		dup: "same advertiser and recipient",
	})
}

// parseConsentRow parses and validates one consent line.
func parseConsentRow(row csvRow, now time.Time) (Consent, []Problem) {
	p := rowParser{row: row}
	c := Consent{
		Advertiser: row.get("advertiser"),
		Recipient:  row.get("recipient"),
		Method:     row.get("method"),
		Time:       p.time("time", now),
		Evidence:   row.get("evidence"),
		MaxPerDay:  p.int("max_per_day"),
		RevokedAt:  p.time("revoked_at", now),
		LastUsedAt: p.time("last_used_at", now),
	}
	parsed := len(p.errs) == 0
	c, errs := c.checkFields()
	p.errs = append(p.errs, errs...)
	if parsed {
		if c.LastUsedAt.IsZero() {
			c.LastUsedAt = now
		}
		p.errs = append(p.errs, normTimes(&c.Time, &c.LastUsedAt, &c.RevokedAt)...)
	}
	return c, p.problems()
}

func consentArgs(c Consent) []any {
	return []any{c.Advertiser, c.Recipient, c.Method, ms(c.Time), c.Evidence, c.MaxPerDay, nullMS(c.RevokedAt), ms(c.LastUsedAt)}
}

// ExportConsents writes every consent as CSV in the ImportConsents format,
// all columns, ordered by advertiser and recipient; times in UTC with
// milliseconds, so that the file re-imports to the same records.
func (s *Store) ExportConsents(ctx context.Context, w io.Writer) error {
	return StreamConsents(w, func(fn func(Consent) error) error { return s.EachConsent(ctx, Filter{}, fn) })
}

// StreamConsents writes the consents each yields (EachConsent with a
// filter) as CSV in the ExportConsents format, in bounded memory.
func StreamConsents(w io.Writer, each func(func(Consent) error) error) error {
	return writeCSV(w, consentCSV.columns, func(emit func([]string) error) error {
		return each(func(c Consent) error { return emit(consentRecord(c)) })
	})
}

func consentRecord(c Consent) []string {
	maxPerDay := ""
	if c.MaxPerDay > 0 {
		maxPerDay = strconv.Itoa(c.MaxPerDay)
	}
	return []string{c.Advertiser, c.Recipient, c.Method, fmtTime(c.Time), c.Evidence, maxPerDay,
		fmtTime(c.RevokedAt), fmtTime(c.LastUsedAt)}
}
