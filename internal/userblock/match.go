package userblock

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"milter91/internal/txn"
)

// Match limits (our choice). Postfix's smtpd_recipient_limit is 1000 by
// default: the recipients are asked for in chunks so that one query's
// parameters stay few; the sender's values are a handful in practice.
const (
	rcptChunk = 100
	// MaxSenderValues bounds the addresses, domains and parent domains
	// one message is matched with; what lies beyond is not looked up.
	MaxSenderValues = 64
	// maxParents bounds the parent domains taken of one sender domain.
	maxParents = 8
)

// Sender is what a message says about who sent it.
type Sender struct {
	// Addresses are the envelope sender and the From addresses.
	Addresses []string
	// Advertiser is the advertiser id (Decree 91/2020 Art. 2.4), "" when
	// unknown.
	Advertiser string
}

// Match returns the entries of the lists of rcpts that block sender: an
// address entry equal to one of its addresses, a domain entry equal to
// the domain of one of them or a parent of it, an advertiser entry equal
// to its advertiser id. Invalid addresses are skipped (an outsider wrote
// them). Errors: the store's only.
func (s *Store) Match(ctx context.Context, rcpts []string, sender Sender) ([]Block, error) {
	addrs, domains := sender.values()
	adv, _ := normValue(KindAdvertiser, sender.Advertiser)
	values := append(append(slices.Clone(addrs), domains...), adv)
	values = slices.Compact(slices.DeleteFunc(values, func(v string) bool { return v == "" }))
	if len(values) == 0 {
		return nil, nil
	}
	keys := normRcpts(rcpts)
	var out []Block
	for len(keys) > 0 {
		chunk := keys[:min(rcptChunk, len(keys))]
		keys = keys[len(chunk):]
		got, err := s.matchChunk(ctx, chunk, values)
		if err != nil {
			return nil, fmt.Errorf("userblock: match: %w", err)
		}
		for _, b := range got {
			if (b.Kind == KindAddress && slices.Contains(addrs, b.Value)) ||
				(b.Kind == KindDomain && slices.Contains(domains, b.Value)) ||
				(b.Kind == KindAdvertiser && b.Value == adv) {
				out = append(out, b)
			}
		}
	}
	return out, nil
}

func (s *Store) matchChunk(ctx context.Context, rcpts, values []string) ([]Block, error) {
	args := make([]any, 0, len(rcpts)+len(values))
	for _, r := range rcpts {
		args = append(args, r)
	}
	for _, v := range values {
		args = append(args, v)
	}
	q := `SELECT recipient, kind, value, added_at, source, note FROM user_blocks WHERE recipient IN (` +
		placeholders(len(rcpts)) + `) AND value IN (` + placeholders(len(values)) + `) ORDER BY recipient, kind, value`
	var out []Block
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.db.Rebind(q), args...)
		if err != nil {
			return err
		}
		out, err = scanBlocks(rows)
		return err
	})
	return out, err
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// normRcpts returns the valid recipients normalised, without repeats.
func normRcpts(rcpts []string) []string {
	var out []string
	for _, r := range rcpts {
		if a, err := normValue(KindAddress, r); err == nil && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// values returns the sender's normalised addresses and their domains with
// up to maxParents parents each, at most MaxSenderValues in all.
func (sd Sender) values() (addrs, domains []string) {
	for _, a := range sd.Addresses {
		n, err := normValue(KindAddress, a)
		if err != nil || slices.Contains(addrs, n) {
			continue
		}
		addrs = append(addrs, n)
		d := n[strings.LastIndexByte(n, '@')+1:]
		for i := 0; i < maxParents && strings.Contains(d, "."); i++ {
			if !slices.Contains(domains, d) {
				domains = append(domains, d)
			}
			_, d, _ = strings.Cut(d, ".")
		}
		if len(addrs)+len(domains) >= MaxSenderValues {
			break
		}
	}
	return addrs, domains[:min(len(domains), max(0, MaxSenderValues-len(addrs)))]
}

// MatchBlocks is Match for the engine: the sender's addresses and
// advertiser id in, the facts out (txn.Facts.UserBlocks).
func (s *Store) MatchBlocks(ctx context.Context, rcpts, senders []string, advertiser string) ([]txn.UserBlock, error) {
	bs, err := s.Match(ctx, rcpts, Sender{Addresses: senders, Advertiser: advertiser})
	if err != nil {
		return nil, err
	}
	out := make([]txn.UserBlock, 0, len(bs))
	for _, b := range bs {
		out = append(out, txn.UserBlock{Rcpt: b.Recipient, Kind: b.Kind, Entry: b.Value})
	}
	return out, nil
}
