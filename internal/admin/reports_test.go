package admin

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"milter91/internal/registry"
	"milter91/internal/spamreport"
)

// newReportDesk is a real report store and registry on one SQLite file.
func newReportDesk(t *testing.T) (*spamreport.Service, *registry.Store) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "r.db")
	reg, err := registry.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	st, err := spamreport.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := &spamreport.Service{Intake: spamreport.Intake{Store: st, Refusals: reg}, Reports: st}
	return svc, reg
}

func TestPostReportJSONRefuses(t *testing.T) {
	svc, reg := newReportDesk(t)
	h := newHandler(t, Options{Reports: svc})
	body := `{"recipient":"user@example.net","message":"From: news@shop.example.com\r\nSubject: [QC] Sale\r\n\r\nx"}`
	rec := do(h, request{method: http.MethodPost, target: "/v1/reports", ctype: "application/json", body: body})
	expect(t, rec, http.StatusCreated, "")
	got := decodeBody[spamreport.Record](t, rec)
	if !got.Ad || !got.Refused || got.Advertiser != "example.com" || got.Source != spamreport.SourceAPI {
		t.Fatalf("record %+v", got)
	}
	rs, err := reg.ListRefusals(context.Background(), registry.Filter{Recipient: "user@example.net", Limit: 10})
	if err != nil || len(rs) != 1 || rs[0].Advertiser != "example.com" || rs[0].Channel != registry.ChannelAPI {
		t.Fatalf("refusals %+v, %v", rs, err)
	}
	rec = do(h, request{method: http.MethodGet, target: "/v1/reports?since=2026-01-01&until=2026-12-31"})
	expect(t, rec, http.StatusOK, "")
	p := decodeBody[page[spamreport.Record]](t, rec)
	if len(p.Items) != 1 || p.Items[0].ID != got.ID {
		t.Fatalf("list %+v", p)
	}
}

func TestPostReportARF(t *testing.T) {
	svc, _ := newReportDesk(t)
	h := newHandler(t, Options{Reports: svc})
	data, err := os.ReadFile("../arf/testdata/rfc5965-b2.eml")
	if err != nil {
		t.Fatal(err)
	}
	rec := do(h, request{method: http.MethodPost, target: "/v1/reports", ctype: "message/rfc822", body: string(data)})
	expect(t, rec, http.StatusCreated, "")
	if got := decodeBody[spamreport.Record](t, rec); got.Recipient != "user@example.com" || got.FeedbackType != "abuse" {
		t.Fatalf("record %+v", got)
	}
	rec = do(h, request{method: http.MethodPost, target: "/v1/reports", ctype: "message/rfc822", body: "Subject: hi\r\n\r\nnot a report\r\n"})
	expect(t, rec, http.StatusBadRequest, "not a feedback report")
	rec = do(h, request{method: http.MethodPost, target: "/v1/reports", ctype: "application/json", body: `{"message":"Subject: x\r\n\r\n"}`})
	expect(t, rec, http.StatusBadRequest, "recipient is required")
}
