package registry

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"milter91/internal/cpumeter"
	"milter91/internal/txn"
)

const (
	benchAdvertisers = 1000
	benchPerAdv      = 1000 // 1 million consents in all
)

func benchAddr(i int) (advertiser, addr string) {
	return fmt.Sprintf("shop%d.test", i%benchAdvertisers), fmt.Sprintf("user%d@example.net", i/benchAdvertisers)
}

// bulkRows is the rows per INSERT in bulkConsents: 8 parameters each stay
// far below both backends' limits, and PostgreSQL needs one round trip per
// statement; it divides benchAdvertisers×benchPerAdv.
const bulkRows = 500

// bulkConsents inserts benchAdvertisers×benchPerAdv consents in one
// transaction, bypassing validation (setup only).
func bulkConsents(b *testing.B, s *Store) {
	b.Helper()
	ctx := context.Background()
	row := "(?, ?, ?, ?, ?, ?, ?, ?)"
	query := s.q(`INSERT INTO consents (advertiser, recipient, method, consented_at, evidence, max_per_day, revoked_at, last_used_at)
		VALUES ` + row + strings.Repeat(", "+row, bulkRows-1))
	err := s.write(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, query)
		if err != nil {
			return err
		}
		defer stmt.Close()
		args := make([]any, 0, 8*bulkRows)
		for i := range benchAdvertisers * benchPerAdv {
			a, r := benchAddr(i)
			args = append(args, a, r, MethodForm, ms(t0), "bench", 0, nil, ms(t0))
			if len(args) < cap(args) {
				continue
			}
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				return err
			}
			args = args[:0]
		}
		return nil
	})
	if err != nil {
		b.Fatalf("bulk insert: %v", err)
	}
}

// BenchmarkCheck measures the per-recipient registry work of one
// advertising email at 1 million consents, per backend: Recipient (a
// read, no touch within touchInterval) and ReserveSend (a durable write
// transaction; on PostgreSQL with its advisory lock).
func BenchmarkCheck(b *testing.B) {
	for _, bk := range backends {
		b.Run(bk.name, func(b *testing.B) { benchCheck(b, bk.openStore(b)) })
	}
}

func benchCheck(b *testing.B, s *Store) {
	bulkConsents(b, s)
	ctx := context.Background()
	start := t0.Add(time.Hour)
	stride := 7919 // a prime: successive iterations hit scattered keys
	// The counters live across b.Run's repetitions (-count reruns the
	// sub-benchmarks on this one store), so that every reservation is a
	// pair's first at a later time rather than one over the cap.
	var readI, reserveI int
	b.Run("recipient", func(b *testing.B) {
		i := readI
		defer func() { readI = i }()
		for b.Loop() {
			a, r := benchAddr(i * stride % (benchAdvertisers * benchPerAdv))
			if c, err := s.Recipient(ctx, a, r, []string{"<list.example.com>"}, start.Add(time.Duration(i)*time.Millisecond)); err != nil || !c.Consent {
				b.Fatalf("Recipient: %+v %v", c, err)
			}
			i++
		}
	})
	b.Run("recipient+reserve", func(b *testing.B) {
		i := reserveI
		defer func() { reserveI = i }()
		report := cpumeter.Start(b)
		for b.Loop() {
			a, r := benchAddr(i * stride % (benchAdvertisers * benchPerAdv))
			now := start.Add(time.Duration(i) * time.Millisecond)
			c, err := s.Recipient(ctx, a, r, nil, now)
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := s.ReserveSend(ctx, a, r, txn.DirectionOutbound, c.Cap, clock(now)); err != nil {
				b.Fatal(err)
			}
			i++
		}
		report()
	})
}
