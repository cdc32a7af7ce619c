package registry

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// MinRetention is the shortest retention of consent and refusal records
// after their last use: one year (Decree 91/2020 Art. 11.7).
const MinRetention = 365 * 24 * time.Hour

// DefaultRetention is the configured default, 400 days: one year plus a
// margin (our choice).
const DefaultRetention = 400 * 24 * time.Hour

// PruneStats counts the rows one Prune deleted.
type PruneStats struct {
	Consents  int64
	Sends     int64
	Mailboxes int64
}

// Prune deletes, in one transaction: consents whose last_used_at (last
// use, else recording) is older than now-retention (Art. 11.7), refusal
// mailboxes not seen since now-retention, and sends at or before
// now-Window, which no count can include any more (Art. 13.5). Refusals
// are never pruned: a refusal stands until the same recipient gives a
// newer consent (Art. 13.4, 20.3), and a consent revoked later brings it
// back, so no age makes one safe to drop; Art. 11.7's year is a minimum.
// retention below MinRetention is refused with an error.
func (s *Store) Prune(ctx context.Context, now time.Time, retention time.Duration) (PruneStats, error) {
	var st PruneStats
	if retention < MinRetention {
		return st, fmt.Errorf("registry: retention %s is below one year (Decree 91/2020 Art. 11.7)", retention)
	}
	keep := ms(now.Add(-retention))
	steps := []struct {
		query string
		arg   int64
		n     *int64
	}{
		{query: `DELETE FROM consents WHERE last_used_at < ?`, arg: keep, n: &st.Consents},
		{query: `DELETE FROM refusal_mailboxes WHERE seen_at < ?`, arg: keep, n: &st.Mailboxes},
		{query: `DELETE FROM sends WHERE sent_at <= ?`, arg: ms(now.Add(-Window)), n: &st.Sends},
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		for _, step := range steps {
			res, err := tx.ExecContext(ctx, s.q(step.query), step.arg)
			if err != nil {
				return fmt.Errorf("registry: prune: %w", err)
			}
			if *step.n, err = res.RowsAffected(); err != nil {
				return fmt.Errorf("registry: prune: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return PruneStats{}, err
	}
	return st, nil
}
