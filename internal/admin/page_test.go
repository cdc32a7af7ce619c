package admin

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"milter91/internal/registry"
)

// manyConsents returns a fake registry of n consents of example.com, for
// recipients u0000@example.net … in listing order.
func manyConsents(n int) *fakeRegistry {
	f := newFakeRegistry()
	for i := range n {
		r := fmt.Sprintf("u%04d@example.net", i)
		f.consents[adv+"|"+r] = registry.Consent{Advertiser: adv, Recipient: r, Method: registry.MethodForm, Time: day(2, 1)}
	}
	return f
}

// followPages lists target page by page and returns the recipients and
// the page count.
func followPages(t *testing.T, f *fakeRegistry, target string) ([]string, int) {
	t.Helper()
	h := newHandler(t, Options{Registry: f})
	var got []string
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	next := ""
	for n := 1; ; n++ {
		tgt := target
		if next != "" {
			tgt += sep + "cursor=" + url.QueryEscape(next)
		}
		rec := do(h, request{method: "GET", target: tgt})
		expect(t, rec, 200, "")
		p := decodeBody[page[consentOut]](t, rec)
		for _, c := range p.Items {
			got = append(got, c.Recipient)
		}
		if p.Next == nil {
			return got, n
		}
		if n > 1000 {
			t.Fatal("no last page")
		}
		next = *p.Next
	}
}

func TestListConsentsPages(t *testing.T) {
	for _, tc := range []struct {
		name   string
		n      int
		target string
		pages  int
	}{
		{name: "default limit", n: 250, target: "/v1/consents", pages: 3},
		{name: "exactly one page", n: 100, target: "/v1/consents", pages: 1},
		{name: "limit 7", n: 50, target: "/v1/consents?limit=7", pages: 8},
		{name: "limit 7, exact", n: 49, target: "/v1/consents?advertiser=example.com&limit=7", pages: 7},
		{name: "maximum", n: 1500, target: "/v1/consents?limit=1000", pages: 2},
		{name: "empty", n: 0, target: "/v1/consents", pages: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, pages := followPages(t, manyConsents(tc.n), tc.target)
			if len(got) != tc.n || pages != tc.pages {
				t.Fatalf("%d records in %d pages, want %d in %d", len(got), pages, tc.n, tc.pages)
			}
			for i, r := range got {
				if want := fmt.Sprintf("u%04d@example.net", i); r != want {
					t.Fatalf("record %d is %s, want %s: pages repeat or skip", i, r, want)
				}
			}
		})
	}
}

func TestListBadPageParameters(t *testing.T) {
	other := encodeCursor(cursorRefusals, registry.Key{Advertiser: adv, Recipient: rcpt, Scope: "all"})
	raw := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, tc := range []struct{ name, query, errHas string }{
		{name: "limit 0", query: "limit=0", errHas: `limit "0": want 1..1000`},
		{name: "limit over the maximum", query: "limit=1001", errHas: `limit "1001": want 1..1000`},
		{name: "limit not a number", query: "limit=ten", errHas: `limit "ten"`},
		{name: "cursor not base64", query: "cursor=%25%25", errHas: "parameter cursor: not one this listing gave"},
		{name: "cursor of refusals", query: "cursor=" + other, errHas: "parameter cursor"},
		{name: "cursor not JSON", query: "cursor=" + raw("c,a,b"), errHas: "parameter cursor"},
		{name: "cursor with NUL", query: "cursor=" + raw(`["c","example.com","a\u0000@example.net"]`), errHas: "parameter cursor"},
		{name: "cursor with an empty field", query: "cursor=" + raw(`["c","","a@example.net"]`), errHas: "parameter cursor"},
		{name: "cursor too long", query: "cursor=" + strings.Repeat("A", maxCursor+1), errHas: "parameter cursor"},
		{name: "cursor twice", query: "cursor=a&cursor=b", errHas: `parameter "cursor" given 2 times`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := manyConsents(3)
			expect(t, do(newHandler(t, Options{Registry: f}), request{method: "GET", target: "/v1/consents?" + tc.query}), 400, tc.errHas)
			if f.calls != 0 {
				t.Errorf("registry called %d times", f.calls)
			}
		})
	}
}

func TestCursorRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		kind string
		key  registry.Key
	}{
		{kind: cursorConsents, key: registry.Key{Advertiser: "example.com", Recipient: "ü@example.net"}},
		{kind: cursorRefusals, key: registry.Key{Advertiser: "xn--bcher-kva.example", Recipient: `"a b"@example.net`, Scope: "weekly <x>"}},
	} {
		c := encodeCursor(tc.kind, tc.key)
		if strings.ContainsAny(c, "+/=%&") {
			t.Errorf("cursor %q needs escaping in a query", c)
		}
		got, err := DecodeCursor(tc.kind, c)
		if err != nil || got != tc.key {
			t.Errorf("DecodeCursor(%q) = %+v, %v; want %+v", c, got, err, tc.key)
		}
	}
}

// FuzzDecodeCursor: any input is refused or decodes to a key that a
// stored record can have, and that encodes back to a cursor decoding to
// the same key.
func FuzzDecodeCursor(f *testing.F) {
	f.Add("c", encodeCursor(cursorConsents, registry.Key{Advertiser: adv, Recipient: rcpt}))
	f.Add("r", encodeCursor(cursorRefusals, registry.Key{Advertiser: adv, Recipient: rcpt, Scope: "all"}))
	f.Add("c", "")
	f.Add("r", "WyJyIl0")
	f.Fuzz(func(t *testing.T, kind, s string) {
		k, err := DecodeCursor(kind, s)
		if err != nil {
			return
		}
		fields := []string{k.Advertiser, k.Recipient}
		if kind == cursorRefusals {
			fields = append(fields, k.Scope)
		} else if k.Scope != "" {
			t.Fatalf("consent cursor with a scope: %+v", k)
		}
		for _, v := range fields {
			if v == "" || !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 {
				t.Fatalf("DecodeCursor(%q, %q) = %+v: a key no record has", kind, s, k)
			}
		}
		if again, err := DecodeCursor(kind, encodeCursor(kind, k)); err != nil || again != k {
			t.Fatalf("re-encoded %+v decodes to %+v, %v", k, again, err)
		}
	})
}
