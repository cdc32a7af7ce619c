package registry

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// importNow is the injected clock for imports: after every time in the
// test files.
var importNow = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func exportConsents(t *testing.T, s *Store) string {
	t.Helper()
	var b bytes.Buffer
	if err := s.ExportConsents(context.Background(), &b); err != nil {
		t.Fatalf("ExportConsents: %v", err)
	}
	return b.String()
}

func exportRefusals(t *testing.T, s *Store) string {
	t.Helper()
	var b bytes.Buffer
	if err := s.ExportRefusals(context.Background(), &b); err != nil {
		t.Fatalf("ExportRefusals: %v", err)
	}
	return b.String()
}

func TestExportFormat(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		addConsent(t, s, Consent{Advertiser: adv, Recipient: rcpt, Method: MethodForm, Time: t0.Add(123456 * time.Microsecond),
			Evidence: `web form, "signup"`, MaxPerDay: 5})
		addRefusal(t, s, Refusal{Advertiser: adv, Recipient: rcpt, Scope: "Weekly <weekly.example.com>", Time: t0, Channel: ChannelPhone})
		wantC := "advertiser,recipient,method,time,evidence,max_per_day,revoked_at,last_used_at\n" +
			`example.com,user@example.net,form,2026-03-01T09:00:00.123Z,"web form, ""signup""",5,,2026-03-01T09:00:00.123Z` + "\n"
		if got := exportConsents(t, s); got != wantC {
			t.Errorf("consents:\n%s\nwant:\n%s", got, wantC)
		}
		wantR := "advertiser,recipient,scope,time,channel,evidence,last_used_at\n" +
			"example.com,user@example.net,weekly.example.com,2026-03-01T09:00:00.000Z,phone,,2026-03-01T09:00:00.000Z\n"
		if got := exportRefusals(t, s); got != wantR {
			t.Errorf("refusals:\n%s\nwant:\n%s", got, wantR)
		}
	})
}

// export → import into a fresh store → export gives the same bytes.
func TestCSVRoundTrip(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		src := b.openStore(t)
		ctx := context.Background()
		addConsent(t, src, Consent{Advertiser: adv, Recipient: "a@example.net", Method: MethodForm, Time: t0, Evidence: "line one\nline two, \"quoted\"", MaxPerDay: 7})
		addConsent(t, src, Consent{Advertiser: adv, Recipient: "b@example.net", Method: MethodCallSMS, Time: t0.Add(time.Millisecond), Evidence: "Đăng ký qua tổng đài"})
		addConsent(t, src, Consent{Advertiser: adv2, Recipient: "a@example.net", Method: MethodSoftware, Time: t0, Evidence: "https://example.org/proof?id=1"})
		if _, err := src.RevokeConsent(ctx, adv, "b@example.net", t0.Add(day)); err != nil {
			t.Fatal(err)
		}
		recipient(t, src, adv, "a@example.net", nil, t0.Add(3*day))
		addRefusal(t, src, Refusal{Advertiser: adv, Recipient: "c@example.net", Scope: ScopeAll, Time: t0, Channel: ChannelEmail, Evidence: "reply; subject \"stop\""})
		addRefusal(t, src, Refusal{Advertiser: adv, Recipient: "c@example.net", Scope: "<deals.example.com>", Time: t0, Channel: ChannelCaptured})
		consents, refusals := exportConsents(t, src), exportRefusals(t, src)
		if n := strings.Count(consents, "\n"); n < 5 {
			t.Fatalf("consent export has %d lines, want header + 3 records with one quoted newline:\n%s", n, consents)
		}

		dst := b.openStore(t)
		if n, err := dst.ImportConsents(ctx, strings.NewReader(consents), importNow); err != nil || n != 3 {
			t.Fatalf("ImportConsents: %d %v", n, err)
		}
		if n, err := dst.ImportRefusals(ctx, strings.NewReader(refusals), importNow); err != nil || n != 2 {
			t.Fatalf("ImportRefusals: %d %v", n, err)
		}
		if got := exportConsents(t, dst); got != consents {
			t.Errorf("consents after round trip:\n%s\nwant:\n%s", got, consents)
		}
		if got := exportRefusals(t, dst); got != refusals {
			t.Errorf("refusals after round trip:\n%s\nwant:\n%s", got, refusals)
		}
	})
}

// BOM, CRLF, columns in another order, optional columns missing, a quoted
// field over two lines (encoding/csv turns its CRLF into LF), an empty
// trailing line.
func TestImportConsentsFormats(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		in := "\ufeffTime , Recipient,advertiser,method,evidence\r\n" +
			"2026-03-01T16:00:00+07:00,<Ann@Example.NET>,Example.com,FORM,\"signed\r\non paper\"\r\n" +
			"2026-03-02T09:00:00.5Z,bob@example.net,example.com,call_sms,\r\n" +
			"\r\n"
		n, err := s.ImportConsents(context.Background(), strings.NewReader(in), importNow)
		if err != nil || n != 2 {
			t.Fatalf("ImportConsents: %d %v", n, err)
		}
		want := "advertiser,recipient,method,time,evidence,max_per_day,revoked_at,last_used_at\n" +
			"example.com,ann@example.net,form,2026-03-01T09:00:00.000Z,\"signed\non paper\",,,2026-06-01T00:00:00.000Z\n" +
			"example.com,bob@example.net,call_sms,2026-03-02T09:00:00.500Z,,,,2026-06-01T00:00:00.000Z\n"
		if got := exportConsents(t, s); got != want {
			t.Errorf("stored:\n%q\nwant:\n%q", got, want)
		}
	})
}

func TestImportConsentsProblems(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		const head = "advertiser,recipient,method,time,evidence\n"
		tests := []struct {
			name string
			in   string
			want []string
		}{
			{name: "empty file", in: "", want: []string{"line 1: empty file: a header line is required"}},
			{name: "unknown and duplicate columns", in: "advertiser,recipient,method,time,Colour,time\n",
				want: []string{
					`line 1: unknown column "Colour" (known: advertiser, recipient, method, time, evidence, max_per_day, revoked_at, last_used_at)`,
					`line 1: duplicate column "time"`,
				}},
			{name: "missing column", in: "advertiser,recipient,time\n", want: []string{`line 1: missing required column "method"`}},
			{name: "bad lines", in: head +
				"example.com,a@example.net,form,2026-01-01T00:00:00Z,\"two\nlines\"\n" +
				"news.example.com,b@example.net,form,2026-01-01T00:00:00Z,x\n" +
				"example.com,c@example.net,fax,yesterday,x\n" +
				"\n" +
				"example.com,A@example.net,form,2026-01-01T00:00:00Z,dup\n" +
				"example.com,d@example.net,form\n" +
				"example.com,e@example.net,form,2030-01-01T00:00:00Z,\n" +
				"example.com,f@example.net,form,,\n" +
				"example.com,g@example.net\"x,form,2026-01-01T00:00:00Z,\n" +
				"example.com,h@example.net,form,2026-01-01T00:00:00Z,ok\n",
				want: []string{
					`line 4: advertiser "news.example.com" is not an organizational domain (use "example.com")`,
					`line 5: time "yesterday": want RFC 3339, e.g. 2026-01-02T15:04:05Z`,
					`line 5: method "fax": want form, call_sms or software`,
					`line 7: duplicate of line 2 (same advertiser and recipient)`,
					`line 8: 3 fields, the header has 5`,
					`line 9: time 2030-01-01T00:00:00Z is in the future`,
					`line 10: time is empty`,
					`line 11: bare " in non-quoted-field`,
				}},
			{name: "max_per_day and revoked_at", in: "advertiser,recipient,method,time,max_per_day,revoked_at\n" +
				"example.com,a@example.net,form,2026-01-02T00:00:00Z,lots,\n" +
				"example.com,b@example.net,form,2026-01-02T00:00:00Z,0,2026-01-01T00:00:00Z\n",
				want: []string{
					`line 2: max_per_day "lots": not an integer`,
					`line 3: revoked_at is before time`,
				}},
		}
		for _, tt := range tests {
			s := b.openStore(t)
			n, err := s.ImportConsents(context.Background(), strings.NewReader(tt.in), importNow)
			var ie *ImportError
			if !errors.As(err, &ie) || n != 0 {
				t.Errorf("%s: %d %v, want 0 and an *ImportError", tt.name, n, err)
				continue
			}
			if got := strings.Split(ie.Error(), "\n"); strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("%s: problems\n%s\nwant\n%s", tt.name, ie.Error(), strings.Join(tt.want, "\n"))
			}
		}
	})
}

// Any invalid line: nothing at all is applied, not even the valid lines.
func TestImportErrorLeavesStoreUnchanged(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		ctx := context.Background()
		addConsent(t, s, Consent{Advertiser: adv, Recipient: rcpt, Method: MethodForm, Time: t0})
		addRefusal(t, s, Refusal{Advertiser: adv, Recipient: rcpt, Scope: ScopeAll, Time: t0, Channel: ChannelWeb})
		beforeC, beforeR := exportConsents(t, s), exportRefusals(t, s)
		consents := "advertiser,recipient,method,time,max_per_day\n" +
			"example.com,user@example.net,call_sms,2026-03-01T09:00:00Z,9\n" + // same consent, new method and cap
			"example.com,new@example.net,form,2026-03-01T09:00:00Z,\n" +
			"example.com,bad@example.net,form,2026-03-01T09:00:00Z,-4\n"
		if n, err := s.ImportConsents(ctx, strings.NewReader(consents), importNow); err == nil || n != 0 {
			t.Fatalf("ImportConsents: %d %v, want an error", n, err)
		}
		refusals := "advertiser,recipient,scope,time,channel\n" +
			"example.com,new@example.net,all,2026-03-01T09:00:00Z,web\n" +
			"example.com,bad@example.net,all,2026-03-01T09:00:00Z,pigeon\n"
		if n, err := s.ImportRefusals(ctx, strings.NewReader(refusals), importNow); err == nil || n != 0 {
			t.Fatalf("ImportRefusals: %d %v, want an error", n, err)
		}
		if got := exportConsents(t, s); got != beforeC {
			t.Errorf("consents changed:\n%s\nwas:\n%s", got, beforeC)
		}
		if got := exportRefusals(t, s); got != beforeR {
			t.Errorf("refusals changed:\n%s\nwas:\n%s", got, beforeR)
		}
	})
}

func TestImportRefusalsProblems(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		in := "advertiser,recipient,scope,time\n"
		s := b.openStore(t)
		_, err := s.ImportRefusals(context.Background(), strings.NewReader(in), importNow)
		if err == nil || err.Error() != `line 1: missing required column "channel"` {
			t.Errorf("missing channel: %v", err)
		}
		in = "advertiser,recipient,scope,time,channel\n" +
			"example.com,a@example.net,,2026-01-01T00:00:00Z,web\n" +
			"example.com,a@example.net,ALL,2026-01-01T00:00:00Z,web\n" +
			"example.com,a@example.net,all,2026-01-02T00:00:00Z,phone\n"
		_, err = s.ImportRefusals(context.Background(), strings.NewReader(in), importNow)
		want := "line 2: empty scope (want all or a product/group id)\n" +
			"line 4: duplicate of line 3 (same advertiser, recipient and scope)"
		if err == nil || err.Error() != want {
			t.Errorf("problems:\n%v\nwant:\n%s", err, want)
		}
	})
}

// A stale line does not undo a revocation and is not counted as imported.
func TestImportCountsChanges(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.openStore(t)
		ctx := context.Background()
		addConsent(t, s, Consent{Advertiser: adv, Recipient: rcpt, Method: MethodForm, Time: t0})
		if _, err := s.RevokeConsent(ctx, adv, rcpt, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		in := "advertiser,recipient,method,time\n" +
			"example.com,user@example.net,form,2026-03-01T08:00:00Z\n" +
			"example.com,new@example.net,form,2026-03-01T08:00:00Z\n"
		n, err := s.ImportConsents(ctx, strings.NewReader(in), importNow)
		if err != nil || n != 1 {
			t.Errorf("ImportConsents: %d %v, want 1 (the stale line ignored)", n, err)
		}
		if consent, _, _ := recipient(t, s, adv, rcpt, nil, importNow); consent {
			t.Error("a stale import line undid the revocation")
		}
	})
}
