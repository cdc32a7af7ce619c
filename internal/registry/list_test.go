package registry

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// pages lists with f, limit records at a time, following the keys, and
// returns the keys seen and the number of pages.
func pages[T interface{ Key() Key }](t *testing.T, list func(Filter) ([]T, error), f Filter, limit int) ([]Key, int) {
	t.Helper()
	var keys []Key
	f.Limit = limit
	for n := 1; ; n++ {
		page, err := list(f)
		if err != nil {
			t.Fatalf("page %d: %v", n, err)
		}
		if len(page) > limit {
			t.Fatalf("page %d has %d records, over the limit %d", n, len(page), limit)
		}
		for _, r := range page {
			keys = append(keys, r.Key())
		}
		if len(page) < limit {
			return keys, n
		}
		f.After = page[len(page)-1].Key()
	}
}

func TestListPages(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		ctx := context.Background()
		// Byte-wise order: digits, then ASCII letters, then UTF-8.
		for _, r := range []string{"b@example.net", "a@example.net", "ä@example.net", "1@example.net", "z@example.net"} {
			addConsent(t, s, Consent{Advertiser: adv, Recipient: r, Method: MethodForm, Time: t0})
			addConsent(t, s, Consent{Advertiser: adv2, Recipient: r, Method: MethodForm, Time: t0})
		}
		for _, scope := range []string{"news", "all", "deals", "weekly"} {
			addRefusal(t, s, Refusal{Advertiser: adv, Recipient: rcpt, Scope: scope, Time: t0, Channel: ChannelWeb})
		}
		listC := func(f Filter) ([]Consent, error) { return s.ListConsents(ctx, f) }
		listR := func(f Filter) ([]Refusal, error) { return s.ListRefusals(ctx, f) }
		all, _ := pages(t, listC, Filter{}, 100)
		want := []Key{{adv, "1@example.net", ""}, {adv, "a@example.net", ""}, {adv, "b@example.net", ""}, {adv, "z@example.net", ""},
			{adv, "ä@example.net", ""}, {adv2, "1@example.net", ""}, {adv2, "a@example.net", ""}, {adv2, "b@example.net", ""},
			{adv2, "z@example.net", ""}, {adv2, "ä@example.net", ""}}
		if !slices.Equal(all, want) {
			t.Fatalf("listing order %v, want %v", all, want)
		}
		for _, limit := range []int{1, 3, 5, 9, 10} {
			if got, n := pages(t, listC, Filter{}, limit); !slices.Equal(got, want) || n != len(want)/limit+1 {
				t.Errorf("pages of %d: %v in %d pages, want %v in %d", limit, got, n, want, len(want)/limit+1)
			}
		}
		if got, _ := pages(t, listC, Filter{Recipient: "A@example.net"}, 1); !slices.Equal(got, []Key{want[1], want[6]}) {
			t.Errorf("filtered pages: %v", got)
		}
		wantR := []Key{{adv, rcpt, "all"}, {adv, rcpt, "deals"}, {adv, rcpt, "news"}, {adv, rcpt, "weekly"}}
		if got, _ := pages(t, listR, Filter{Advertiser: adv}, 3); !slices.Equal(got, wantR) {
			t.Errorf("refusal pages %v, want %v", got, wantR)
		}
	})
}

// A page after a key is the same whatever was added before the key since
// the previous page: keyset pagination neither repeats nor skips.
func TestListPagesStableUnderInserts(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		ctx := context.Background()
		for _, r := range []string{"b@example.net", "d@example.net", "f@example.net", "h@example.net"} {
			addConsent(t, s, Consent{Advertiser: adv, Recipient: r, Method: MethodForm, Time: t0})
		}
		first, err := s.ListConsents(ctx, Filter{Limit: 2})
		if err != nil || len(first) != 2 {
			t.Fatalf("first page %v, %v", first, err)
		}
		for _, r := range []string{"a@example.net", "c@example.net", "e@example.net"} {
			addConsent(t, s, Consent{Advertiser: adv, Recipient: r, Method: MethodForm, Time: t0.Add(time.Minute)})
		}
		next, err := s.ListConsents(ctx, Filter{After: first[1].Key(), Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range next {
			got = append(got, c.Recipient)
		}
		if want := []string{"e@example.net", "f@example.net"}; !slices.Equal(got, want) {
			t.Errorf("page after %s: %v, want %v (the later insert, none before)", first[1].Recipient, got, want)
		}
	})
}

func TestListBadFilter(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		ctx := context.Background()
		for name, f := range map[string]Filter{
			"NUL in key":      {After: Key{Advertiser: adv, Recipient: "a\x00@example.net"}},
			"key not UTF-8":   {After: Key{Advertiser: "\xff", Recipient: rcpt}},
			"negative limit":  {Limit: -1},
			"bad recipient":   {Recipient: "nobody"},
			"recipient bytes": {Recipient: "a\xfe@example.net"},
		} {
			if _, err := s.ListConsents(ctx, f); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: consents error %v, want ErrInvalid", name, err)
			}
			if _, err := s.ListRefusals(ctx, f); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: refusals error %v, want ErrInvalid", name, err)
			}
		}
	})
}
