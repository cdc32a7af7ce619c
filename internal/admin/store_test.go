package admin

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"milter91/internal/pgtest"
	"milter91/internal/registry"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// backends are the two kinds of registry store: a SQLite file and a
// database of the private PostgreSQL cluster (internal/pgtest).
var backends = []struct {
	name   string
	target func(testing.TB) string
}{
	{name: "sqlite", target: func(t testing.TB) string { return filepath.Join(t.TempDir(), "registry.db") }},
	{name: "postgres", target: pgtest.DSN},
}

// forEachStore runs fn once per backend on a new, empty registry.Store.
func forEachStore(t *testing.T, fn func(t *testing.T, store *registry.Store)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			store, err := registry.Open(context.Background(), b.target(t))
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			fn(t, store)
		})
	}
}

// TestRealRegistry runs the registry endpoints against a registry.Store
// on both backends: the registry's own checks must come back as 400, its
// records through the API unchanged.
func TestRealRegistry(t *testing.T) {
	forEachStore(t, func(t *testing.T, store *registry.Store) {
		ctx := context.Background()
		h := newHandler(t, Options{Registry: store})
		for _, s := range realRegistrySteps() {
			rec := do(h, s.req)
			if rec.Code != s.status || !strings.Contains(rec.Body.String(), s.has) {
				t.Fatalf("%s: status %d, body %s; want %d and %s", s.name, rec.Code, rec.Body, s.status, s.has)
			}
			if s.status == 401 {
				if cs, err := store.ListConsents(ctx, registry.Filter{}); err != nil || len(cs) != 0 {
					t.Fatalf("%s: registry holds %v (%v), want nothing", s.name, cs, err)
				}
			}
		}
	})
}

// Pages of a real store: three consents two at a time, the second page
// through the first one's cursor.
func TestRealRegistryPages(t *testing.T) {
	forEachStore(t, func(t *testing.T, store *registry.Store) {
		h := newHandler(t, Options{Registry: store})
		for _, r := range []string{"c@example.net", "a@example.net", "b@example.net"} {
			expect(t, do(h, request{method: "POST", target: "/v1/consents", ctype: "application/json",
				body: `{"advertiser":"example.com","recipient":"` + r + `","method":"form"}`}), 201, "")
		}
		first := decodeBody[page[consentOut]](t, do(h, request{method: "GET", target: "/v1/consents?limit=2"}))
		if len(first.Items) != 2 || first.Next == nil {
			t.Fatalf("first page %+v, want 2 records and a next cursor", first)
		}
		second := decodeBody[page[consentOut]](t, do(h, request{method: "GET", target: "/v1/consents?limit=2&cursor=" + *first.Next}))
		if len(second.Items) != 1 || second.Next != nil || second.Items[0].Recipient != "c@example.net" ||
			first.Items[0].Recipient != "a@example.net" || first.Items[1].Recipient != "b@example.net" {
			t.Errorf("pages %+v then %+v, want a, b then c and no further page", first, second)
		}
	})
}

// registryStep is one request of TestRealRegistry and what it must answer.
type registryStep struct {
	name   string
	req    request
	status int
	has    string // in the body
}

// realRegistrySteps run in order on one store.
func realRegistrySteps() []registryStep {
	const csvIn = "advertiser,recipient,method,time,max_per_day\n" +
		"example.org,a@example.net,form,2026-01-01T00:00:00Z,5\n"
	return []registryStep{
		{name: "wrong token changes nothing", req: request{method: "POST", target: "/v1/consents", ctype: "application/json",
			token: "wrong-token-0123456789", body: `{"advertiser":"example.com","recipient":"x@example.net","method":"form"}`}, status: 401, has: "invalid bearer token"},
		{name: "add", req: request{method: "POST", target: "/v1/consents", ctype: "application/json",
			body: `{"advertiser":"Example.COM.","recipient":"<User@Example.NET>","method":"form","time":"2026-02-01T00:00:00Z"}`},
			status: 201, has: `"consent":{"advertiser":"example.com","recipient":"user@example.net","method":"form","time":"2026-02-01T00:00:00Z"`},
		{name: "older ignored", req: request{method: "POST", target: "/v1/consents", ctype: "application/json",
			body: `{"advertiser":"example.com","recipient":"user@example.net","method":"call_sms","time":"2026-01-01T00:00:00Z"}`},
			status: 200, has: `"changed":false,"consent":{"advertiser":"example.com","recipient":"user@example.net","method":"form"`},
		{name: "not an organizational domain", req: request{method: "POST", target: "/v1/consents", ctype: "application/json",
			body: `{"advertiser":"news.example.com","recipient":"user@example.net","method":"form"}`},
			status: 400, has: `not an organizational domain (use \"example.com\")`},
		{name: "NUL in evidence", req: request{method: "POST", target: "/v1/consents", ctype: "application/json",
			body: `{"advertiser":"example.com","recipient":"user@example.net","method":"form","evidence":"a\u0000b"}`},
			status: 400, has: `{"error":"evidence: NUL byte at byte 2"}`},
		{name: "refusal scope with a NUL", req: request{method: "POST", target: "/v1/refusals", ctype: "application/json",
			body: `{"advertiser":"example.com","recipient":"user@example.net","scope":"news\u0000"}`},
			status: 400, has: `{"error":"scope: NUL byte at byte 5"}`},
		{name: "import with a NUL", req: request{method: "PUT", target: "/v1/refusals/import", ctype: "text/csv",
			body: "advertiser,recipient,scope,time,channel,evidence\nexample.com,user@example.net,all,2026-01-01T00:00:00Z,web,\x00\n"},
			status: 400, has: `"problems":[{"line":2,"reason":"evidence: NUL byte at byte 1"}]`},
		{name: "bad method and cap", req: request{method: "POST", target: "/v1/consents", ctype: "application/json",
			body: `{"advertiser":"example.com","recipient":"user@example.net","method":"fax","max_per_day":5000}`},
			status: 400, has: `method \"fax\"`},
		{name: "import", req: request{method: "PUT", target: "/v1/consents/import", ctype: "text/csv", body: csvIn},
			status: 200, has: `{"imported":1}`},
		{name: "import problems", req: request{method: "PUT", target: "/v1/consents/import", ctype: "text/csv",
			body: "advertiser,recipient,method,time\nexample.org,b@example.net,form,2027-01-01T00:00:00Z\n"},
			status: 400, has: `"problems":[{"line":2,"reason":"time 2027-01-01T00:00:00Z is in the future"}]`},
		{name: "list", req: request{method: "GET", target: "/v1/consents?recipient=A@example.net"},
			status: 200, has: `[{"advertiser":"example.org","recipient":"a@example.net","method":"form","time":"2026-01-01T00:00:00Z","evidence":"","max_per_day":5,"revoked_at":null`},
		{name: "revoke", req: request{method: "DELETE", target: "/v1/consents?advertiser=example.com&recipient=user@example.net"},
			status: 200, has: `{"revoked":true}`},
		{name: "revoke again", req: request{method: "DELETE", target: "/v1/consents?advertiser=example.com&recipient=user@example.net"},
			status: 404, has: `"revoked":false`},
		{name: "refusal", req: request{method: "POST", target: "/v1/refusals", ctype: "application/json",
			body: `{"advertiser":"example.com","recipient":"user@example.net","scope":"Weekly <news.example.com>"}`},
			status: 201, has: `"scope":"news.example.com","time":"2026-03-01T09:00:00Z","channel":"api"`},
		{name: "refusal bad channel", req: request{method: "POST", target: "/v1/refusals", ctype: "application/json",
			body: `{"advertiser":"example.com","recipient":"user@example.net","channel":"fax"}`},
			status: 400, has: `channel \"fax\"`},
		{name: "export", req: request{method: "GET", target: "/v1/consents/export"}, status: 200,
			has: "example.com,user@example.net,form,2026-02-01T00:00:00.000Z,,,2026-03-01T09:00:00.000Z,2026-03-01T09:00:00.000Z\n" +
				"example.org,a@example.net,form,2026-01-01T00:00:00.000Z,,5,,2026-03-01T09:00:00.000Z\n"},
		{name: "refusal export", req: request{method: "GET", target: "/v1/refusals/export"}, status: 200,
			has: "example.com,user@example.net,news.example.com,2026-03-01T09:00:00.000Z,api,,2026-03-01T09:00:00.000Z\n"},
	}
}
