package admin

import (
	"context"
	"io"
	"testing"
	"time"
)

// reportCall is what the fake ReportFunc was called with.
type reportCall struct {
	since, until time.Time
	format       string
}

func TestReport(t *testing.T) {
	tests := []struct {
		name     string
		target   string
		ct       string // what the ReportFunc returns
		err      error
		status   int
		errHas   string
		want     reportCall
		wantType string
	}{
		{name: "default format and until", target: "/v1/report?since=2026-02-01", ct: "application/json", status: 200,
			want: reportCall{since: day(2, 1), until: t0, format: "json"}, wantType: "application/json"},
		{name: "csv month", target: "/v1/report?since=2026-02-01&until=2026-02-28&format=csv", ct: "text/csv; charset=utf-8", status: 200,
			want: reportCall{since: day(2, 1), until: day(3, 1), format: "csv"}, wantType: "text/csv; charset=utf-8"},
		{name: "html, type from format", target: "/v1/report?since=2026-02-01T00:00:00Z&format=html", status: 200,
			want: reportCall{since: day(2, 1), until: t0, format: "html"}, wantType: "text/html; charset=utf-8"},
		{name: "since missing", target: "/v1/report?format=csv", status: 400, errHas: "since is required"},
		{name: "before 1970", target: "/v1/report?since=0001-01-01", status: 400, errHas: "is before 1970-01-01"},
		{name: "after 9999", target: "/v1/report?since=2026-01-01&until=9999-12-31", status: 400, errHas: "is after 9999-12-31"},
		{name: "longer than MaxDays", target: "/v1/report?since=1970-01-01&until=2026-01-01", status: 400, errHas: "a report covers at most 3660 days"},
		{name: "bad format", target: "/v1/report?since=2026-02-01&format=pdf", status: 400, errHas: `format "pdf": want json, csv or html`},
		{name: "since in the future", target: "/v1/report?since=2026-03-02", status: 400, errHas: "not in the past"},
		{name: "empty span", target: "/v1/report?since=2026-02-02T00:00:00Z&until=2026-02-02T00:00:00Z", status: 400, errHas: "is not before until"},
		{name: "bad until", target: "/v1/report?since=2026-02-01&until=soon", status: 400, errHas: `until "soon"`},
		{name: "report error", target: "/v1/report?since=2026-02-01", err: errStore, status: 500, errHas: "report: disk on fire"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *reportCall
			report := func(_ context.Context, w io.Writer, since, until time.Time, format string) (string, error) {
				got = &reportCall{since: since, until: until, format: format}
				io.WriteString(w, "partial ")
				if tt.err != nil {
					return "", tt.err
				}
				io.WriteString(w, "report body")
				return tt.ct, nil
			}
			rec := do(newHandler(t, Options{Report: report}), request{method: "GET", target: tt.target})
			expect(t, rec, tt.status, tt.errHas)
			if tt.status != 200 {
				if tt.err == nil && got != nil {
					t.Errorf("report built for bad input: %+v", *got)
				}
				return
			}
			if got == nil || !got.since.Equal(tt.want.since) || !got.until.Equal(tt.want.until) || got.format != tt.want.format {
				t.Errorf("called with %+v, want %+v", got, tt.want)
			}
			if ct := rec.Header().Get("Content-Type"); ct != tt.wantType {
				t.Errorf("Content-Type %q, want %q", ct, tt.wantType)
			}
			if rec.Body.String() != "partial report body" {
				t.Errorf("body %q", rec.Body)
			}
		})
	}
}
