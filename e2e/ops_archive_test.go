package e2e

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// archivedRecord is an archived message as `milter91 headers search
// --json` and GET /v1/headers give it (field names of admin/doc.go).
type archivedRecord struct {
	QueueID   string   `json:"queue_id"`
	ClientIP  string   `json:"client_ip"`
	MailFrom  string   `json:"mail_from"`
	Rcpts     []string `json:"rcpts"`
	MessageID string   `json:"message_id"`
	Header    string   `json:"header"`
	Action    string   `json:"action"`
	Reply     string   `json:"reply"`
}

// opsRejectIP is the client address (XCLIENT) of the rejected message,
// used by no other test of the archive daemon.
const opsRejectIP = "127.0.0.9"

// opsSent is what the archive test sent: the accepted message's token and
// queue id (from the 250 reply), the rejected message's reply.
type opsSent struct {
	acceptedTok string
	queueID     string
	rejected    reply
}

// A daemon with the header archive, a SQLite registry and the admin API:
// an accepted and a rejected message are found in the archive by the CLI
// and the API with their queue id, verdict and our Authentication-Results,
// the report counts both, and the API answers only with the token.
func TestOpsArchiveAndAdmin(t *testing.T) {
	e := needEnv(t)
	today := time.Now().UTC().Format(time.DateOnly)
	dir := filepath.Join(e.root, "d-"+slotOpsArchive)
	d, cfg, base, token := adminDaemon(t, e, slotOpsArchive, fmt.Sprintf("decree91:\n  registry: %q\narchive:\n  store: %q\n",
		filepath.Join(dir, "registry.db"), filepath.Join(dir, "archive.db")))

	tl := &tally{}
	sent := sendArchiveMessages(t, e, tl)
	checkHeadersCLI(t, e, cfg, today, sent)
	checkReportCLI(t, e, cfg, today)
	checkAdminAuth(t, base, token)
	checkAdminArchive(t, base, token, today, sent)
	checkAdminReload(t, d, base, token)
	checkAdminConsent(t, e, cfg, base, token)
	verifyDelivery(t, e, tl)
}

// sendArchiveMessages sends an accepted message (SPF and DMARC pass) and
// one that milter91 rejects (DMARC p=reject, SPF fail) to the archive
// daemon's slot; the accepted one must arrive with Postfix's queue id of
// the 250 reply in its Received field.
func sendArchiveMessages(t *testing.T, e *env, tl *tally) opsSent {
	t.Helper()
	var out opsSent
	out.acceptedTok = newToken(t)
	s := openSession(t, e.smtpAddr(slotOpsArchive), "client.example.test", "")
	r := mustSend(t, s, faultMessage(out.acceptedTok, "archived", ""))
	tl.add(out.acceptedTok, r, nil)
	if out.queueID = r.queueID(); out.queueID == "" {
		t.Fatalf("accepted message: reply %v, want 250 queued as ID", r)
	}
	if got := postfixQueueID(delivered(t, e, messageID(out.acceptedTok))); got != out.queueID {
		t.Fatalf("Received field queue id %q, reply queue id %q", got, out.queueID)
	}

	tok := newToken(t)
	rs := openSession(t, e.smtpAddr(slotOpsArchive), "client.example.test", "ADDR="+opsRejectIP+" NAME=[UNAVAILABLE]")
	data := mail{Token: tok, From: "<bob@" + strictDomain + ">", Subject: "rejected, archived"}.build()
	out.rejected = mustSend(t, rs, outMessage{From: "bob@" + strictDomain, To: []string{recipient}, Data: data})
	tl.add(tok, out.rejected, nil)
	if out.rejected.Code != 550 || !strings.HasPrefix(out.rejected.Text, "5.7.26 ") {
		t.Fatalf("rejected message: reply %v, want 550 5.7.26", out.rejected)
	}
	return out
}

// searchHeaders runs `milter91 headers search --json` with args until it
// finds a record (the archive writer flushes every second) or
// opsPollTimeout passes, and returns the records of the last run.
func searchHeaders(t *testing.T, e *env, args ...string) []archivedRecord {
	t.Helper()
	deadline := time.Now().Add(opsPollTimeout)
	for {
		out := milter91CLI(t, e, append([]string{"headers", "search", "--json"}, args...)...)
		var recs []archivedRecord
		dec := json.NewDecoder(strings.NewReader(out))
		for dec.More() {
			var r archivedRecord
			if err := dec.Decode(&r); err != nil {
				t.Fatalf("headers search %v: %v in\n%s", args, err, out)
			}
			recs = append(recs, r)
		}
		if len(recs) > 0 || time.Now().After(deadline) {
			return recs
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// checkHeadersCLI finds both messages with `milter91 headers search`.
func checkHeadersCLI(t *testing.T, e *env, cfg, today string, sent opsSent) {
	t.Helper()
	wantReply := fmt.Sprintf("%d %s", sent.rejected.Code, sent.rejected.Text)
	tests := []struct {
		name  string
		args  []string
		check func(*testing.T, archivedRecord)
	}{
		{name: "accepted by Message-ID", args: []string{"--message-id", messageID(sent.acceptedTok)},
			check: func(t *testing.T, r archivedRecord) { checkAcceptedRecord(t, r, sent) }},
		{name: "rejected by client IP", args: []string{"--client-ip", opsRejectIP},
			check: func(t *testing.T, r archivedRecord) { checkRejectedRecord(t, r, wantReply) }},
		{name: "rejected by From", args: []string{"--from", "bob@" + strictDomain},
			check: func(t *testing.T, r archivedRecord) { checkRejectedRecord(t, r, wantReply) }},
	}
	for _, tc := range tests {
		t.Run("headers search "+tc.name, func(t *testing.T) {
			recs := searchHeaders(t, e, append([]string{"--config", cfg, "--since", today}, tc.args...)...)
			if len(recs) != 1 {
				t.Fatalf("%d records within %v, want exactly 1: %+v", len(recs), opsPollTimeout, recs)
			}
			tc.check(t, recs[0])
		})
	}
}

// checkAcceptedRecord: the accepted message's record has Postfix's queue
// id, an accepting action and our Authentication-Results in its header.
func checkAcceptedRecord(t *testing.T, r archivedRecord, sent opsSent) {
	t.Helper()
	if r.QueueID != sent.queueID {
		t.Errorf("queue_id %q, want Postfix's %q", r.QueueID, sent.queueID)
	}
	if r.Action != "accept" && r.Action != "tag" {
		t.Errorf("action %q, want accept or tag", r.Action)
	}
	if r.MessageID != sent.acceptedTok+"@e2e.test" || r.MailFrom != "alice@"+goodDomain ||
		len(r.Rcpts) != 1 || r.Rcpts[0] != recipient {
		t.Errorf("message_id %q mail_from %q rcpts %q, want the sent message's", r.MessageID, r.MailFrom, r.Rcpts)
	}
	ours := 0
	for _, f := range headerFields([]byte(r.Header + "\r\n")) {
		if fieldName(f) != "authentication-results" {
			continue
		}
		if id, res := authResults(t, fieldValue(f)); strings.EqualFold(id, authservID) {
			ours++
			if res["spf"] != "pass" {
				t.Errorf("archived AR %q: spf=%q, want pass", fieldValue(f), res["spf"])
			}
		}
	}
	if ours != 1 {
		t.Errorf("archived header has %d Authentication-Results of %s, want 1:\n%s", ours, authservID, r.Header)
	}
}

// checkRejectedRecord: the rejected message's record has action reject
// and the reply the SMTP client got.
func checkRejectedRecord(t *testing.T, r archivedRecord, wantReply string) {
	t.Helper()
	if r.Action != "reject" || r.Reply != wantReply {
		t.Errorf("action %q reply %q, want reject %q", r.Action, r.Reply, wantReply)
	}
	if r.ClientIP != opsRejectIP {
		t.Errorf("client_ip %q, want %s", r.ClientIP, opsRejectIP)
	}
}

// checkReportCLI: `milter91 report --format csv` counts both messages,
// one accepted (or tagged) and one rejected.
func checkReportCLI(t *testing.T, e *env, cfg, today string) {
	t.Helper()
	out := milter91CLI(t, e, "report", "--config", cfg, "--since", today, "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("report csv: %v\n%s", err, out)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	got := map[string]int{} // "section/key" → count
	for _, row := range rows[1:] {
		if n, err := strconv.Atoi(row[col["count"]]); err == nil {
			got[row[col["section"]]+"/"+row[col["key"]]] += n
		}
	}
	if got["total/messages"] != 2 || got["action/reject"] != 1 || got["action/accept"]+got["action/tag"] != 1 {
		t.Errorf("report: total %d, reject %d, accept+tag %d; want 2, 1, 1:\n%s",
			got["total/messages"], got["action/reject"], got["action/accept"]+got["action/tag"], out)
	}
}

// checkAdminAuth: /v1/health answers 401 with a Bearer challenge without
// the token or with a wrong one, and 200 with the registry and archive
// details with it.
func checkAdminAuth(t *testing.T, base, token string) {
	t.Helper()
	for _, tc := range []struct{ name, token string }{{name: "no token"}, {name: "wrong token", token: token + "x"}} {
		a := adminCall(t, base, tc.token, "GET", "/v1/health", nil)
		if a.Status != 401 || !strings.HasPrefix(a.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("health, %s: status %d WWW-Authenticate %q, want 401 Bearer", tc.name, a.Status, a.Header.Get("WWW-Authenticate"))
		}
	}
	var h struct {
		Status  string            `json:"status"`
		Details map[string]string `json:"details"`
	}
	decodeAnswer(t, "health", adminCall(t, base, token, "GET", "/v1/health", nil), 200, &h)
	if h.Status != "ok" || h.Details["registry"] != "ok" || h.Details["archive"] == "" {
		t.Errorf("health %+v, want status ok, registry ok and archive details", h)
	}
}

// checkAdminArchive: /v1/headers finds the accepted message, with and
// without until (admin/doc.go: every parameter is optional), /v1/report
// counts both.
func checkAdminArchive(t *testing.T, base, token, today string, sent opsSent) {
	t.Helper()
	for _, tc := range []struct {
		name string
		q    url.Values
	}{
		{name: "since and until", q: url.Values{"since": {today}, "until": {today}, "message_id": {sent.acceptedTok + "@e2e.test"}}},
		{name: "since only", q: url.Values{"since": {today}, "message_id": {sent.acceptedTok + "@e2e.test"}}},
	} {
		a := adminCall(t, base, token, "GET", "/v1/headers?"+tc.q.Encode(), nil)
		var recs []archivedRecord
		if a.Status != 200 || json.Unmarshal(a.Body, &recs) != nil || len(recs) != 1 {
			t.Errorf("GET /v1/headers, %s: status %d, body %s; want 200 and the one record", tc.name, a.Status, a.Body)
			continue
		}
		checkAcceptedRecord(t, recs[0], sent)
	}

	var rep struct {
		Totals struct {
			Messages int64 `json:"messages"`
		} `json:"totals"`
	}
	q := url.Values{"since": {today}, "format": {"json"}}
	decodeAnswer(t, "report", adminCall(t, base, token, "GET", "/v1/report?"+q.Encode(), nil), 200, &rep)
	if rep.Totals.Messages != 2 {
		t.Errorf("GET /v1/report: totals.messages %d, want 2 (one accepted, one rejected)", rep.Totals.Messages)
	}
}

// checkAdminReload: POST /v1/reload reloads (200, and the daemon logs it).
func checkAdminReload(t *testing.T, d *daemon, base, token string) {
	t.Helper()
	var out struct {
		Reloaded bool `json:"reloaded"`
	}
	decodeAnswer(t, "reload", adminCall(t, base, token, "POST", "/v1/reload", nil), 200, &out)
	if !out.Reloaded {
		t.Errorf("POST /v1/reload: reloaded false")
	}
	if _, err := d.waitLog(withField("msg", "reloaded config and rules"), 5*time.Second); err != nil {
		t.Errorf("reload not in the daemon log: %v", err)
	}
}

// checkAdminConsent: POST /v1/consents with a wrong token is refused and
// adds nothing; with the token the consent is stored, as `milter91
// consent list` shows.
func checkAdminConsent(t *testing.T, e *env, cfg, base, token string) {
	t.Helper()
	const rcpt = "api@example.org"
	body := map[string]any{"advertiser": advertiserID, "recipient": rcpt, "method": "form", "evidence": "e2e admin API"}
	if a := adminCall(t, base, token+"x", "POST", "/v1/consents", body); a.Status != 401 {
		t.Errorf("POST /v1/consents with a wrong token: status %d, want 401: %s", a.Status, a.Body)
	}
	if rows := listConsents(t, e, cfg, rcpt); len(rows) != 0 {
		t.Fatalf("consent added by a request with a wrong token: %v", rows)
	}
	var added struct {
		Changed bool `json:"changed"`
	}
	decodeAnswer(t, "add consent", adminCall(t, base, token, "POST", "/v1/consents", body), 201, &added)
	rows := listConsents(t, e, cfg, rcpt)
	if !added.Changed || len(rows) != 1 || rows[0]["advertiser"] != advertiserID || rows[0]["method"] != "form" ||
		rows[0]["evidence"] != "e2e admin API" || rows[0]["revoked_at"] != "" {
		t.Errorf("after POST /v1/consents (changed %v) consent list shows %v, want the active consent", added.Changed, rows)
	}
}

// listConsents returns the rows of `milter91 consent list --csv` for rcpt
// in the registry of the config, as column → value.
func listConsents(t *testing.T, e *env, cfg, rcpt string) []map[string]string {
	t.Helper()
	out := milter91CLI(t, e, "consent", "list", "--config", cfg, "--rcpt", rcpt, "--csv")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("consent list: %v\n%s", err, out)
	}
	var recs []map[string]string
	for _, row := range rows[1:] {
		rec := map[string]string{}
		for i, name := range rows[0] {
			rec[name] = row[i]
		}
		recs = append(recs, rec)
	}
	return recs
}
