package counterstore

import (
	"context"
	"strconv"
	"testing"
	"time"

	"milter91/internal/counter"
)

// BenchmarkAdd is one message's count on each backend: the Add of a rate
// limit's Take (two buckets of one limit, over 1000 users) from one
// goroutine, then from 8 at once (RunParallel with SetParallelism), as the
// daemon's milter connections do.
func BenchmarkAdd(b *testing.B) {
	for _, be := range backends() {
		if be.name == "postgres_repeatable_read" || be.name == "postgres_serializable" {
			continue
		}
		b.Run(be.name, func(b *testing.B) {
			s, _ := be.open(b, Options{Name: "bench"})
			incs := func(i int) []counter.Inc {
				u := strconv.Itoa(i % 1000)
				return []counter.Inc{{Key: "rl:user_hour:3600000:1:v" + u, Delta: 1, TTL: 2 * time.Hour},
					{Key: "rl:user_hour:3600000:0:v" + u, Delta: 0, TTL: time.Hour}}
			}
			b.Run("serial", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					if _, err := s.Add(context.Background(), incs(i)); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("parallel8", func(b *testing.B) {
				b.SetParallelism(4) // 4 × GOMAXPROCS (2) goroutines
				b.RunParallel(func(pb *testing.PB) {
					for i := 0; pb.Next(); i++ {
						if _, err := s.Add(context.Background(), incs(i)); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		})
	}
}

// BenchmarkGet reads the counted-once marks of a message to 4 recipients
// (8 keys) on each backend.
func BenchmarkGet(b *testing.B) {
	for _, be := range backends() {
		if be.name == "postgres_repeatable_read" || be.name == "postgres_serializable" {
			continue
		}
		b.Run(be.name, func(b *testing.B) {
			s, _ := be.open(b, Options{Name: "bench"})
			keys := make([]string, 8)
			for i := range keys {
				keys[i] = "m:" + strconv.Itoa(i)
			}
			if _, err := s.Add(context.Background(), []counter.Inc{{Key: keys[0], Delta: 1, TTL: time.Hour}}); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := s.Get(context.Background(), keys); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
