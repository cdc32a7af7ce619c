package registry

import (
	"context"
	"database/sql"
	"fmt"
	"milter91/internal/cpumeter"
	"testing"
	"time"

	"milter91/txn"
)

const (
	benchAdvertisers = 1000
	benchPerAdv      = 1000 // 1 million consents in all
)

func benchAddr(i int) (advertiser, addr string) {
	return fmt.Sprintf("shop%d.test", i%benchAdvertisers), fmt.Sprintf("user%d@example.net", i/benchAdvertisers)
}

// bulkConsents inserts benchAdvertisers×benchPerAdv consents in one
// transaction, bypassing validation (setup only).
func bulkConsents(b *testing.B, s *Store) {
	b.Helper()
	ctx := context.Background()
	err := s.write(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, consentUpsert)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range benchAdvertisers * benchPerAdv {
			a, r := benchAddr(i)
			if _, err := stmt.ExecContext(ctx, a, r, MethodForm, ms(t0), "bench", 0, nil, ms(t0)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatalf("bulk insert: %v", err)
	}
}

// BenchmarkCheck measures the per-recipient registry work of one
// advertising email at 1 million consents: Recipient (a read, no touch
// within touchInterval) and ReserveSend (a durable write transaction).
func BenchmarkCheck(b *testing.B) {
	s := openStore(b)
	bulkConsents(b, s)
	ctx := context.Background()
	start := t0.Add(time.Hour)
	stride := 7919 // a prime: successive iterations hit scattered keys
	b.Run("recipient", func(b *testing.B) {
		i := 0
		for b.Loop() {
			a, r := benchAddr(i * stride % (benchAdvertisers * benchPerAdv))
			if c, err := s.Recipient(ctx, a, r, []string{"<list.example.com>"}, start.Add(time.Duration(i)*time.Millisecond)); err != nil || !c.Consent {
				b.Fatalf("Recipient: %+v %v", c, err)
			}
			i++
		}
	})
	b.Run("recipient+reserve", func(b *testing.B) {
		i := 0
		report := cpumeter.Start(b)
		for b.Loop() {
			a, r := benchAddr(i * stride % (benchAdvertisers * benchPerAdv))
			now := start.Add(time.Duration(i) * time.Millisecond)
			c, err := s.Recipient(ctx, a, r, nil, now)
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := s.ReserveSend(ctx, a, r, txn.DirectionOutbound, c.Cap, now); err != nil {
				b.Fatal(err)
			}
			i++
		}
		report()
	})
}
