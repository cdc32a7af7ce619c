package userblock

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"milter91/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// forEachBackend runs fn on a new store of each backend.
func forEachBackend(t *testing.T, fn func(t *testing.T, s *Store)) {
	for _, b := range pgtest.Backends("blocks.db") {
		t.Run(b.Name, func(t *testing.T) {
			s, err := Open(context.Background(), b.Target(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			fn(t, s)
		})
	}
}

func mustAdd(t *testing.T, s *Store, b Block) Block {
	t.Helper()
	got, err := s.Add(context.Background(), b, t0)
	if err != nil {
		t.Fatalf("Add(%+v): %v", b, err)
	}
	return got
}

func TestAddNormalizesAndLists(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		got := mustAdd(t, s, Block{Recipient: "<User@Example.NET>", Kind: "Domain", Value: "@Shop.Example.COM.", Note: " spam "})
		want := Block{Recipient: "user@example.net", Kind: KindDomain, Value: "shop.example.com", Time: t0, Source: SourceAPI, Note: "spam"}
		if got != want {
			t.Fatalf("Add = %+v, want %+v", got, want)
		}
		mustAdd(t, s, Block{Recipient: "user@example.net", Kind: KindAddress, Value: "Promo@Example.org", Source: SourceCLI})
		mustAdd(t, s, Block{Recipient: "other@example.net", Kind: KindAdvertiser, Value: "example.org"})
		list, err := s.List(context.Background(), Filter{Recipient: "USER@example.net", Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].Kind != KindAddress || list[0].Value != "promo@example.org" || list[1] != want {
			t.Fatalf("List = %+v", list)
		}
	})
}

func TestListPages(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		for _, v := range []string{"a.example", "b.example", "c.example"} {
			mustAdd(t, s, Block{Recipient: "u@example.net", Kind: KindDomain, Value: v})
		}
		first, err := s.List(context.Background(), Filter{Limit: 2})
		if err != nil || len(first) != 2 {
			t.Fatalf("first page = %+v, %v", first, err)
		}
		rest, err := s.List(context.Background(), Filter{Limit: 2, After: first[1].Key()})
		if err != nil || len(rest) != 1 || rest[0].Value != "c.example" {
			t.Fatalf("second page = %+v, %v", rest, err)
		}
	})
}

func TestRemove(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		b := mustAdd(t, s, Block{Recipient: "u@example.net", Kind: KindAddress, Value: "x@example.org"})
		for i, want := range []bool{true, false} {
			got, err := s.Remove(context.Background(), Key{Recipient: "U@example.net", Kind: b.Kind, Value: "X@example.org"})
			if err != nil || got != want {
				t.Fatalf("Remove #%d = %v, %v; want %v", i+1, got, err, want)
			}
		}
	})
}

func TestInvalid(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		for _, b := range []Block{
			{Recipient: "nobody", Kind: KindDomain, Value: "example.org"},
			{Recipient: "u@example.net", Kind: "ip", Value: "192.0.2.1"},
			{Recipient: "u@example.net", Kind: KindDomain, Value: "exa mple.org"},
			{Recipient: "u@example.net", Kind: KindAddress, Value: "example.org"},
			{Recipient: "u@example.net", Kind: KindDomain, Value: "example.org", Source: "mail"},
			{Recipient: "u@example.net", Kind: KindDomain, Value: "example.org", Note: "a\x00b"},
		} {
			if _, err := s.Add(context.Background(), b, t0); !errors.Is(err, ErrInvalid) {
				t.Errorf("Add(%+v) = %v, want ErrInvalid", b, err)
			}
		}
		if _, err := s.List(context.Background(), Filter{Kind: "ip", Limit: 1}); !errors.Is(err, ErrInvalid) {
			t.Errorf("List(kind ip) = %v, want ErrInvalid", err)
		}
	})
}

func TestMatch(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		mustAdd(t, s, Block{Recipient: "a@example.net", Kind: KindAddress, Value: "promo@shop.example.com"})
		mustAdd(t, s, Block{Recipient: "b@example.net", Kind: KindDomain, Value: "example.com"})
		mustAdd(t, s, Block{Recipient: "c@example.net", Kind: KindAdvertiser, Value: "example.org"})
		mustAdd(t, s, Block{Recipient: "d@example.net", Kind: KindDomain, Value: "other.example"})
		// A sender domain stored as an advertiser entry does not match: the advertiser is example.org.
		mustAdd(t, s, Block{Recipient: "e@example.net", Kind: KindAdvertiser, Value: "shop.example.com"})
		rcpts := []string{"A@example.net", "b@example.net", "c@example.net", "d@example.net", "e@example.net", "not an address"}
		got, err := s.Match(context.Background(), rcpts,
			Sender{Addresses: []string{"Promo@Shop.Example.com", "<bad"}, Advertiser: "example.org"})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"a@example.net address promo@shop.example.com", "b@example.net domain example.com",
			"c@example.net advertiser example.org"}
		if len(got) != len(want) {
			t.Fatalf("Match = %+v, want %v", got, want)
		}
		for i, b := range got {
			if s := b.Recipient + " " + b.Kind + " " + b.Value; s != want[i] {
				t.Errorf("Match[%d] = %s, want %s", i, s, want[i])
			}
		}
	})
}

func TestMatchManyRecipients(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		mustAdd(t, s, Block{Recipient: "r250@example.net", Kind: KindDomain, Value: "example.com"})
		var rcpts []string
		for i := range 300 {
			rcpts = append(rcpts, "r"+string(rune('0'+i/100))+string(rune('0'+i/10%10))+string(rune('0'+i%10))+"@example.net")
		}
		got, err := s.Match(context.Background(), rcpts, Sender{Addresses: []string{"x@mail.example.com"}})
		if err != nil || len(got) != 1 || got[0].Recipient != "r250@example.net" {
			t.Fatalf("Match over 300 recipients = %+v, %v", got, err)
		}
	})
}
