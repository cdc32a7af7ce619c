package e2e

import (
	"strings"
	"testing"
	"time"
)

// logQueueID is the per-message log field with the Postfix queue id, as
// agreed with the daemon (with client_ip, helo, action, score, rules).
const logQueueID = "queue_id"

// sinkTimeout bounds how long a delivered message may take to reach the
// sink (queue manager, smtp client).
const sinkTimeout = time.Minute

// openSession connects to addr and greets with helo; with xclient
// attributes it then presents them (XCLIENT, Postfix passes them on to the
// milter as the client) and greets again. The session ends with the test.
func openSession(t *testing.T, addr, helo, xclient string) *smtpSession {
	t.Helper()
	s, err := dialSMTP(addr)
	if err != nil {
		t.Fatalf("connect %s: %v", addr, err)
	}
	t.Cleanup(s.quit)
	if err := s.ehlo(helo); err != nil {
		t.Fatal(err)
	}
	if xclient == "" {
		return s
	}
	if err := s.xclient(xclient + " HELO=" + helo); err != nil {
		t.Fatal(err)
	}
	if err := s.ehlo(helo); err != nil {
		t.Fatal(err)
	}
	return s
}

// mustSend sends m and returns the server's verdict reply.
func mustSend(t *testing.T, s *smtpSession, m outMessage) reply {
	t.Helper()
	r, err := s.send(m)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	return r
}

// delivered waits for the message with token at the sink.
func delivered(t *testing.T, e *env, token string) sinkMessage {
	t.Helper()
	m, err := e.sink.wait(token, sinkTimeout)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// ourAR returns the values of the Authentication-Results fields that carry
// our authserv-id, and the index of the first such field.
func ourAR(t *testing.T, m sinkMessage) ([]string, int) {
	t.Helper()
	var values []string
	first := -1
	for i, f := range headerFields(m.header()) {
		if fieldName(f) != "authentication-results" {
			continue
		}
		if id, _ := authResults(t, fieldValue(f)); strings.EqualFold(id, authservID) {
			values = append(values, fieldValue(f))
			if first < 0 {
				first = i
			}
		}
	}
	return values, first
}

func TestAuthenticatedMessageDelivered(t *testing.T) {
	e := needEnv(t)
	tok := newToken(t)
	data := dkimSign(t, e.dkimKey, mail{Token: tok, From: "Alice <alice@" + goodDomain + ">", Subject: "signed"}.build())
	s := openSession(t, e.smtpAddr(slotMain), "client.example.test", "")
	if r := mustSend(t, s, outMessage{From: "alice@" + goodDomain, To: []string{recipient}, Data: data}); r.Code != 250 {
		t.Fatalf("reply %v, want 250", r)
	}
	m := delivered(t, e, tok)
	if m.From != "alice@"+goodDomain || len(m.To) != 1 || m.To[0] != recipient {
		t.Errorf("envelope at the sink: from %q to %q", m.From, m.To)
	}
	fields := headerFields(m.header())
	ars, at := ourAR(t, m)
	if len(ars) != 1 || at != 1 || fieldName(fields[0]) != "received" {
		t.Fatalf("want Postfix's Received then exactly one AR of ours; AR %q at field %d of:\n%s", ars, at, m.header())
	}
	_, res := authResults(t, ars[0])
	for _, method := range []string{"spf", "dkim", "dmarc"} {
		if res[method] != "pass" {
			t.Errorf("%s=%q, want pass in %q", method, res[method], ars[0])
		}
	}
}

func TestRejects(t *testing.T) {
	e := needEnv(t)
	tests := []struct {
		name     string
		xclient  string // client attributes; "" is 127.0.0.1
		from     string
		wantCode int
		wantText []string // substrings of the reply text
	}{
		{
			name:     "blocklisted client IP",
			xclient:  "ADDR=" + blockedIP + " NAME=[UNAVAILABLE]",
			from:     "alice@" + goodDomain,
			wantCode: 554,
			wantText: []string{"5.7.1", blocklistZone},
		},
		{
			name:     "DMARC p=reject, SPF fail, no DKIM",
			from:     "bob@" + strictDomain,
			wantCode: 550,
			wantText: []string{"5.7.26"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := newToken(t)
			s := openSession(t, e.smtpAddr(slotMain), "client.example.test", tc.xclient)
			data := mail{Token: tok, From: "<" + tc.from + ">", Subject: "should be rejected"}.build()
			r := mustSend(t, s, outMessage{From: tc.from, To: []string{recipient}, Data: data})
			if r.Code != tc.wantCode || !strings.HasPrefix(r.Text, tc.wantText[0]) {
				t.Fatalf("reply %v, want %d %s", r, tc.wantCode, tc.wantText[0])
			}
			for _, want := range tc.wantText[1:] {
				if !strings.Contains(r.Text, want) {
					t.Errorf("reply %v does not name %q", r, want)
				}
			}
			if e.sink.has(tok) {
				t.Errorf("rejected message reached the sink")
			}
		})
	}
}

func TestForgedAuthResultsRemoved(t *testing.T) {
	e := needEnv(t)
	tok := newToken(t)
	foreign := "Authentication-Results: other.example.net;\r\n\tspf=pass smtp.mailfrom=alice@" + goodDomain + "\r\n"
	data := mail{Token: tok, From: "<alice@" + goodDomain + ">", Subject: "forged results", Extra: []string{
		"Authentication-Results: " + authservID + "; dkim=pass header.d=forged.example.test",
		strings.TrimSuffix(foreign, "\r\n"),
		"authentication-results: MX.E2E.TEST; dmarc=pass header.from=forged.example.test",
	}}.build()
	s := openSession(t, e.smtpAddr(slotMain), "client.example.test", "")
	if r := mustSend(t, s, outMessage{From: "alice@" + goodDomain, To: []string{recipient}, Data: data}); r.Code != 250 {
		t.Fatalf("reply %v, want 250", r)
	}
	m := delivered(t, e, tok)
	ars, _ := ourAR(t, m)
	if len(ars) != 1 || strings.Contains(ars[0], "forged") {
		t.Errorf("want only our own AR, got %q", ars)
	}
	n := 0
	for _, f := range headerFields(m.header()) {
		if f == foreign {
			n++
		}
	}
	if n != 1 {
		t.Errorf("foreign AR present %d times byte-identical, want 1; header:\n%s", n, m.header())
	}
}

func TestSessionKeepsClientAcrossMessages(t *testing.T) {
	e := needEnv(t)
	const clientIP, helo = "127.0.0.3", "helo3.example.test"
	s := openSession(t, e.smtpAddr(slotMain), helo, "ADDR="+clientIP+" NAME=[UNAVAILABLE]")
	first := mail{Token: newToken(t), From: "<bob@" + strictDomain + ">", Subject: "first, rejected"}.build()
	if r := mustSend(t, s, outMessage{From: "bob@" + strictDomain, To: []string{recipient}, Data: first}); r.Code != 550 {
		t.Fatalf("first message: reply %v, want 550", r)
	}
	for i := 2; i <= 3; i++ {
		tok := newToken(t)
		data := mail{Token: tok, From: "<alice@" + goodDomain + ">", Subject: "later, accepted"}.build()
		r := mustSend(t, s, outMessage{From: "alice@" + goodDomain, To: []string{recipient}, Data: data})
		if r.queueID() == "" {
			t.Fatalf("message %d: reply %v, want 250 queued", i, r)
		}
		rec, err := e.main.waitLog(withField(logQueueID, r.queueID()), 10*time.Second)
		if err != nil {
			t.Fatalf("message %d (queue id %s): %v", i, r.queueID(), err)
		}
		if rec["client_ip"] != clientIP || rec["helo"] != helo {
			t.Errorf("message %d: log client_ip=%v helo=%v, want %s %s", i, rec["client_ip"], rec["helo"], clientIP, helo)
		}
		ars, _ := ourAR(t, delivered(t, e, tok))
		if len(ars) != 1 {
			t.Fatalf("message %d: %d ARs of ours, want 1", i, len(ars))
		}
		if _, res := authResults(t, ars[0]); res["spf"] != "pass" {
			t.Errorf("message %d: spf=%q, want pass (client IP %s is in the SPF record)", i, res["spf"], clientIP)
		}
	}
}

// A link whose organizational domain a URIBL zone lists adds the
// URIBL_LISTED score: the message is delivered, tagged as spam.
func TestURIBLListedLinkTagged(t *testing.T) {
	e := needEnv(t)
	tok := newToken(t)
	data := mail{Token: tok, From: "<alice@" + goodDomain + ">", Subject: "offer",
		Body: "See https://promo." + listedLinkDomain + "/offer?id=1 today.\r\n"}.build()
	s := openSession(t, e.smtpAddr(slotMain), "client.example.test", "")
	if r := mustSend(t, s, outMessage{From: "alice@" + goodDomain, To: []string{recipient}, Data: data}); r.Code != 250 {
		t.Fatalf("reply %v, want 250", r)
	}
	m := delivered(t, e, tok)
	status := fieldValues(m, "X-Spam-Status")
	if flags := fieldValues(m, "X-Spam-Flag"); len(flags) != 1 || len(status) != 1 || !strings.Contains(status[0], "URIBL_LISTED") {
		t.Errorf("X-Spam-Flag %q, X-Spam-Status %q; want the message tagged with URIBL_LISTED", flags, status)
	}
}

// A client on a list marked early: reject is refused at RCPT, before DATA.
func TestEarlyRejectAtRcpt(t *testing.T) {
	e := needEnv(t)
	tok := newToken(t)
	s := openSession(t, e.smtpAddr(slotMain), "client.example.test", "ADDR="+earlyIP+" NAME=[UNAVAILABLE]")
	data := mail{Token: tok, From: "<alice@" + goodDomain + ">", Subject: "early"}.build()
	r := mustSend(t, s, outMessage{From: "alice@" + goodDomain, To: []string{recipient}, Data: data})
	if r.Code != 554 || !strings.Contains(r.Text, "5.7.1") || !strings.Contains(r.Text, "listed in national") {
		t.Fatalf("reply %v, want 554 5.7.1 ... listed in national at RCPT", r)
	}
	if e.sink.has(tok) {
		t.Errorf("rejected message reached the sink")
	}
}
