package admin

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"milter91/internal/registry"
)

// importCase is one case of TestImportCSV.
type importCase struct {
	name   string
	req    request
	setup  func(*fakeRegistry)
	status int
	errHas string
	want   string // exact body
	stored int    // records in the fake afterwards
}

// importCases are the import cases, consents and refusals.
func importCases() []importCase {
	const consents = "advertiser,recipient,method,time\r\n" +
		"example.com,a@example.net,form,2026-01-01T00:00:00Z\r\n" +
		"example.org,b@example.net,software,2026-01-02T00:00:00Z\r\n"
	const refusals = "advertiser,recipient,scope,time,channel\n" +
		"example.com,a@example.net,all,2026-01-01T00:00:00Z,web\n"
	return []importCase{
		{name: "consents", req: request{target: "/v1/consents/import", ctype: "text/csv", body: consents},
			status: 200, want: `{"imported":2}`, stored: 2},
		{name: "refusals", req: request{target: "/v1/refusals/import", ctype: "text/csv; charset=utf-8", body: refusals},
			status: 200, want: `{"imported":1}`, stored: 1},
		{name: "problems", req: request{target: "/v1/consents/import", ctype: "text/csv", body: consents},
			setup: func(f *fakeRegistry) {
				f.problems = []registry.Problem{{Line: 2, Reason: "method \"fax\": want form"}, {Line: 5, Reason: "time is empty"}}
			}, status: 400,
			want: `{"error":"2 problems, nothing imported","problems":[{"line":2,"reason":"method \"fax\": want form"},` +
				`{"line":5,"reason":"time is empty"}],"truncated":false}`},
		{name: "problems, truncated", req: request{target: "/v1/refusals/import", ctype: "text/csv", body: refusals},
			setup: func(f *fakeRegistry) {
				f.problems, f.truncated = []registry.Problem{{Line: 2, Reason: "empty scope"}}, true
			}, status: 400,
			want: `{"error":"1 problem before the import stopped (later lines were not checked), nothing imported",` +
				`"problems":[{"line":2,"reason":"empty scope"}],"truncated":true}`},
		{name: "wrong content type", req: request{target: "/v1/refusals/import", ctype: "application/json", body: refusals},
			status: 415, errHas: "want text/csv"},
		{name: "declared too large", req: request{target: "/v1/consents/import", ctype: "text/csv", body: consents, length: maxCSVBody + 1},
			status: 413, errHas: "over the limit of 67108864"},
		{name: "streamed too large", req: request{target: "/v1/consents/import", ctype: "text/csv",
			stream: io.LimitReader(zeros{}, maxCSVBody+1)},
			setup: func(f *fakeRegistry) { f.drain = true }, status: 413, errHas: "limit of 67108864"},
		{name: "parameter", req: request{target: "/v1/consents/import?dry_run=1", ctype: "text/csv", body: consents},
			status: 400, errHas: `unknown parameter "dry_run": this endpoint takes none`},
		{name: "store error", req: request{target: "/v1/refusals/import", ctype: "text/csv", body: refusals},
			setup: func(f *fakeRegistry) { f.err = errStore }, status: 500, errHas: "import refusals: disk on fire"},
		{name: "wrong method", req: request{method: "POST", target: "/v1/consents/import", ctype: "text/csv", body: consents},
			status: 405, errHas: "allowed: PUT"},
	}
}

func TestImportCSV(t *testing.T) {
	for _, tt := range importCases() {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeRegistry()
			if tt.setup != nil {
				tt.setup(f)
			}
			if tt.req.method == "" {
				tt.req.method = "PUT"
			}
			rec := do(newHandler(t, Options{Registry: f}), tt.req)
			expect(t, rec, tt.status, tt.errHas)
			if got := strings.TrimSpace(rec.Body.String()); tt.want != "" && got != tt.want {
				t.Errorf("body\n%s\nwant\n%s", got, tt.want)
			}
			if n := len(f.consents) + len(f.refusals); n != tt.stored {
				t.Errorf("%d records stored, want %d", n, tt.stored)
			}
			if tt.status == 200 && !f.now.Equal(t0) {
				t.Errorf("import at %v, want the clock's %v", f.now, t0)
			}
		})
	}
}

func TestExportCSV(t *testing.T) {
	tests := []struct {
		name   string
		target string
		err    error
		status int
		errHas string
		want   string
	}{
		{name: "consents", target: "/v1/consents/export", status: 200,
			want: "advertiser,recipient,method,time,evidence,max_per_day,revoked_at,last_used_at\n" +
				"example.com,user@example.net,form,2026-02-01T00:00:00.000Z,https://example.com/signup/42,,,2026-02-01T00:00:00.000Z\n" +
				"example.org,user@example.net,call_sms,2026-01-05T00:00:00.000Z,,5,2026-02-10T00:00:00.000Z,2026-02-10T00:00:00.000Z\n"},
		{name: "refusals", target: "/v1/refusals/export", status: 200,
			want: "advertiser,recipient,scope,time,channel,evidence,last_used_at\n"},
		{name: "parameter", target: "/v1/consents/export?advertiser=example.com", status: 400, errHas: "takes none"},
		{name: "store error", target: "/v1/refusals/export", err: errStore, status: 500, errHas: "export refusals: disk on fire"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := seeded()
			f.err = tt.err
			rec := do(newHandler(t, Options{Registry: f}), request{method: "GET", target: tt.target})
			expect(t, rec, tt.status, tt.errHas)
			if tt.status != 200 {
				if cd := rec.Header().Get("Content-Disposition"); cd != "" {
					t.Errorf("error answer has Content-Disposition %q", cd)
				}
				return
			}
			if ct := rec.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if cd := rec.Header().Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=") {
				t.Errorf("Content-Disposition %q", cd)
			}
			if got := rec.Body.String(); got != tt.want {
				t.Errorf("body\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestExportAbortsMidStream checks that a failure after the first byte
// cuts the connection instead of ending the body cleanly.
func TestExportAbortsMidStream(t *testing.T) {
	f := seeded()
	f.err, f.partial = errStore, true
	srv := httptest.NewServer(newHandler(t, Options{Registry: f}))
	defer srv.Close()
	req, err := http.NewRequest("GET", srv.URL+"/v1/consents/export", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := srv.Client().Do(req)
	if err != nil {
		return // cut before the headers arrived: also not a complete file
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Errorf("export that failed mid-stream read as complete (status %d)", resp.StatusCode)
	}
}

// zeros is an endless body of '0' bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	return len(p), nil
}
