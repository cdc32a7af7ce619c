package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"milter91/internal/freemail"
)

// RecordRefusalMailboxes remembers that an inbound advertising email from
// advertiser to the local user recipient named mailboxes as places to
// refuse (List-Unsubscribe mailto:, RFC 2369 §3.2, and the opt-out block's
// email channel, Art. 20.2), so that CaptureRefusal can recognise the
// user's refusal later. Seen again, a mailbox gets seen_at = now, at most
// once per touchInterval, so that the daily stream of ads from one
// advertiser costs neither a durable write nor, once this process has
// seen the row fresh (seenCache), a read per message. Invalid
// mailboxes are skipped (they come from the message), and nothing is
// recorded for a shared mailbox provider (freemail.IsBuiltin: one user of
// gmail.com is not gmail.com); an invalid advertiser or recipient is an
// error.
func (s *Store) RecordRefusalMailboxes(ctx context.Context, advertiser, recipient string, mailboxes []string, now time.Time) error {
	adv, err := normAdvertiser(advertiser)
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	addr, err := normAddress(recipient)
	if err != nil {
		return fmt.Errorf("registry: recipient: %w", err)
	}
	if freemail.IsBuiltin(adv) {
		return nil // a shared mailbox provider is never an advertiser
	}
	var boxes []string
	for _, m := range mailboxes {
		if box, err := normAddress(m); err == nil {
			boxes = append(boxes, box)
		}
	}
	if len(boxes) == 0 {
		return nil
	}
	keys := make([]string, len(boxes))
	for i, box := range boxes {
		keys[i] = box + "\x00" + addr + "\x00" + adv
	}
	if s.seen.fresh(keys, ms(now)) {
		return nil
	}
	if fresh, err := s.mailboxesFresh(ctx, adv, addr, boxes, ms(now)); err != nil || fresh {
		if fresh {
			s.seen.mark(keys, ms(now))
		}
		return err
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		for _, box := range boxes {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO refusal_mailboxes (mailbox, recipient, advertiser, seen_at)
				VALUES (?, ?, ?, ?) ON CONFLICT (mailbox, recipient, advertiser)
				DO UPDATE SET seen_at = GREATEST(refusal_mailboxes.seen_at, excluded.seen_at)`),
				box, addr, adv, ms(now)); err != nil {
				return fmt.Errorf("registry: record refusal mailbox: %w", err)
			}
		}
		return nil
	})
	if err == nil {
		s.seen.mark(keys, ms(now))
	}
	return err
}

// mailboxesFresh reports whether every box is already recorded for
// (adv, addr) with a seen_at within touchInterval of now (Unix ms).
func (s *Store) mailboxesFresh(ctx context.Context, adv, addr string, boxes []string, now int64) (bool, error) {
	fresh := true
	err := s.read(ctx, func(tx *sql.Tx) error {
		for _, box := range boxes {
			var seen int64
			err := tx.QueryRowContext(ctx, s.q(`SELECT seen_at FROM refusal_mailboxes
				WHERE mailbox = ? AND recipient = ? AND advertiser = ?`), box, addr, adv).Scan(&seen)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				fresh = false
				return nil
			case err != nil:
				return fmt.Errorf("registry: read refusal mailbox: %w", err)
			case seen < now-touchInterval.Milliseconds():
				fresh = false
				return nil
			}
		}
		return nil
	})
	return fresh && err == nil, err
}

// CaptureRefusal handles mail from the local user sender to rcpt: when
// rcpt is a refusal mailbox that an earlier ad to sender named, the user
// refuses that advertiser, so a refusal (scope ScopeAll, channel
// ChannelCaptured, time now) is recorded for each such advertiser, in
// effect at once (Art. 13.4, 20.3). It returns those advertisers, sorted
// (none when rcpt is not a known refusal mailbox of sender). Errors:
// invalid addresses, database failure.
func (s *Store) CaptureRefusal(ctx context.Context, sender, rcpt string, now time.Time) ([]string, error) {
	from, err := normAddress(sender)
	if err != nil {
		return nil, fmt.Errorf("registry: sender: %w", err)
	}
	box, err := normAddress(rcpt)
	if err != nil {
		return nil, fmt.Errorf("registry: recipient: %w", err)
	}
	advs, err := s.mailboxAdvertisers(ctx, box, from)
	if err != nil || len(advs) == 0 {
		return nil, err
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		for _, adv := range advs {
			r := Refusal{Advertiser: adv, Recipient: from, Scope: ScopeAll, Time: fromMS(ms(now)),
				Channel: ChannelCaptured, Evidence: "mail to " + box, LastUsedAt: fromMS(ms(now))}
			if err := s.insertRefusal(ctx, tx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return advs, nil
}

// mailboxAdvertisers lists the advertisers whose ads to from named box.
func (s *Store) mailboxAdvertisers(ctx context.Context, box, from string) ([]string, error) {
	var advs []string
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.q(`SELECT advertiser FROM refusal_mailboxes
			WHERE mailbox = ? AND recipient = ? ORDER BY advertiser`), box, from)
		if err != nil {
			return fmt.Errorf("registry: read refusal mailboxes: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var a string
			if err := rows.Scan(&a); err != nil {
				return fmt.Errorf("registry: read refusal mailboxes: %w", err)
			}
			if !freemail.IsBuiltin(a) { // a row from before the check
				advs = append(advs, a)
			}
		}
		return rows.Err()
	})
	return advs, err
}

// seenCacheSize bounds seenCache; when full it starts over, which costs
// one read per mailbox again, nothing else.
const seenCacheSize = 100_000

// seenCache remembers when this process last knew a refusal mailbox row
// to be fresh (seen_at within touchInterval), so that the steady stream of
// ads from one advertiser to one user costs no registry read at all. A
// row refreshed by another process (the CLI) is only read again; rows are
// pruned only long after touchInterval, so a remembered row still exists.
type seenCache struct {
	mu sync.Mutex
	at map[string]int64 // key → Unix ms known fresh
}

// fresh reports whether every key was known fresh within touchInterval of
// now (Unix ms).
func (c *seenCache) fresh(keys []string, now int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		if at, ok := c.at[k]; !ok || at < now-touchInterval.Milliseconds() {
			return false
		}
	}
	return true
}

// mark records keys as fresh at now.
func (c *seenCache) mark(keys []string, now int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at == nil || len(c.at)+len(keys) > seenCacheSize {
		c.at = make(map[string]int64, len(keys))
	}
	for _, k := range keys {
		c.at[k] = now
	}
}
