package registry

import (
	"context"
	"io"
	"time"
)

// refusalCSV is the refusal file format. time and last_used_at are
// RFC 3339; an empty last_used_at on import means the import time.
var refusalCSV = csvSpec{
	columns:  []string{"advertiser", "recipient", "scope", "time", "channel", "evidence", "last_used_at"},
	required: []string{"advertiser", "recipient", "scope", "time", "channel"},
}

// ImportRefusals reads refusals as CSV (header row required, columns in
// any order: advertiser, recipient, scope, time, channel required;
// evidence, last_used_at optional) and records them all in one
// transaction, each as AddRefusal would. Every line is validated first,
// times after now included; if any is invalid nothing is applied and the
// error is an *ImportError listing every "line N: reason". It returns the
// number of records inserted or updated.
func (s *Store) ImportRefusals(ctx context.Context, r io.Reader, now time.Time) (int, error) {
	return importRows(ctx, s, r, now, rowImport[Refusal]{
		what: "refusals", spec: refusalCSV, parse: parseRefusalRow, args: refusalArgs, upsert: refusalUpsert,
		key: Refusal.Key,
		dup: "same advertiser, recipient and scope",
	})
}

// parseRefusalRow parses and validates one refusal line.
func parseRefusalRow(row csvRow, now time.Time) (Refusal, []Problem) {
	p := rowParser{row: row}
	r := Refusal{
		Advertiser: row.get("advertiser"),
		Recipient:  row.get("recipient"),
		Scope:      row.get("scope"),
		Time:       p.time("time", now),
		Channel:    row.get("channel"),
		Evidence:   row.get("evidence"),
		LastUsedAt: p.time("last_used_at", now),
	}
	parsed := len(p.errs) == 0
	r, errs := r.checkFields()
	p.errs = append(p.errs, errs...)
	if parsed {
		if r.LastUsedAt.IsZero() {
			r.LastUsedAt = now
		}
		var none time.Time
		p.errs = append(p.errs, normTimes(&r.Time, &r.LastUsedAt, &none)...)
	}
	return r, p.problems()
}

func refusalArgs(r Refusal) []any {
	return []any{r.Advertiser, r.Recipient, r.Scope, ms(r.Time), r.Channel, r.Evidence, ms(r.LastUsedAt)}
}

// ExportRefusals writes every refusal as CSV in the ImportRefusals format,
// all columns, ordered by advertiser, recipient and scope; times in UTC
// with milliseconds, so that the file re-imports to the same records.
func (s *Store) ExportRefusals(ctx context.Context, w io.Writer) error {
	return StreamRefusals(w, func(fn func(Refusal) error) error { return s.EachRefusal(ctx, Filter{}, fn) })
}

// StreamRefusals writes the refusals each yields (EachRefusal with a
// filter) as CSV in the ExportRefusals format, in bounded memory.
func StreamRefusals(w io.Writer, each func(func(Refusal) error) error) error {
	return writeCSV(w, refusalCSV.columns, func(emit func([]string) error) error {
		return each(func(r Refusal) error { return emit(refusalRecord(r)) })
	})
}

func refusalRecord(r Refusal) []string {
	return []string{r.Advertiser, r.Recipient, r.Scope, fmtTime(r.Time), r.Channel, r.Evidence, fmtTime(r.LastUsedAt)}
}
