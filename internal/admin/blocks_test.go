package admin

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"

	"milter91/internal/userblock"
)

func openBlocks(t *testing.T) *userblock.Store {
	t.Helper()
	s, err := userblock.Open(context.Background(), filepath.Join(t.TempDir(), "blocks.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestBlocksAddListRemove(t *testing.T) {
	h := newHandler(t, Options{Blocks: openBlocks(t)})
	for _, v := range []string{"a.example", "b.example", "c.example"} {
		rec := do(h, request{method: http.MethodPost, target: "/v1/blocks", ctype: "application/json",
			body: `{"recipient":"User@example.net","kind":"domain","value":"` + v + `","note":"spam"}`})
		expect(t, rec, http.StatusCreated, "")
		b := decodeBody[userblock.Block](t, rec)
		if b.Recipient != "user@example.net" || b.Value != v || b.Source != userblock.SourceAPI || !b.Time.Equal(t0) {
			t.Fatalf("added %+v", b)
		}
	}
	rec := do(h, request{method: http.MethodGet, target: "/v1/blocks?recipient=user@example.net&limit=2"})
	expect(t, rec, http.StatusOK, "")
	p := decodeBody[page[userblock.Block]](t, rec)
	if len(p.Items) != 2 || p.Next == nil {
		t.Fatalf("first page %+v", p)
	}
	rec = do(h, request{method: http.MethodGet, target: "/v1/blocks?recipient=user@example.net&limit=2&cursor=" + *p.Next})
	p = decodeBody[page[userblock.Block]](t, rec)
	if len(p.Items) != 1 || p.Items[0].Value != "c.example" || p.Next != nil {
		t.Fatalf("second page %+v", p)
	}
	rec = do(h, request{method: http.MethodDelete, target: "/v1/blocks?recipient=user@example.net&kind=domain&value=b.example"})
	expect(t, rec, http.StatusOK, "")
	rec = do(h, request{method: http.MethodDelete, target: "/v1/blocks?recipient=user@example.net&kind=domain&value=b.example"})
	expect(t, rec, http.StatusNotFound, "no domain entry b.example")
}

func TestBlocksBadInput(t *testing.T) {
	h := newHandler(t, Options{Blocks: openBlocks(t)})
	for _, c := range []struct {
		req request
		has string
	}{
		{request{method: http.MethodPost, target: "/v1/blocks", ctype: "application/json",
			body: `{"recipient":"user@example.net","kind":"ip","value":"192.0.2.1"}`}, `kind "ip"`},
		{request{method: http.MethodPost, target: "/v1/blocks", ctype: "application/json",
			body: `{"recipient":"nobody","kind":"domain","value":"example.com"}`}, "want local@domain"},
		{request{method: http.MethodGet, target: "/v1/blocks?cursor=eyJjIiwiYSIsImIiXQ"}, "cursor"},
		{request{method: http.MethodGet, target: "/v1/blocks?kind=ip"}, `kind "ip"`},
		{request{method: http.MethodDelete, target: "/v1/blocks?recipient=user@example.net"}, "required"},
	} {
		expect(t, do(h, c.req), http.StatusBadRequest, c.has)
	}
}

func TestBlocksNotConfigured(t *testing.T) {
	h := newHandler(t, Options{})
	expect(t, do(h, request{method: http.MethodGet, target: "/v1/blocks"}), http.StatusNotFound, "block lists is not configured")
}
