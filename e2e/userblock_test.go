package e2e

import (
	"strings"
	"testing"
)

// A recipient who blocked the sender's domain (milter91 block add) is
// removed from the delivery and the other recipient gets the message:
// the sender sees 250, nobody is bounced (Decree 91/2020 Art. 10.2).
// When every recipient blocked it, the sender sees the rule's 550 at the
// end of DATA and nothing is delivered.
func TestUserBlockRemovesOneRecipient(t *testing.T) {
	e := decreeEnv(t)
	const keeper, blocker = "keeper@example.net", "blocker@example.net"
	milter91CLI(t, e, "block", "add", "--db", e.registryPath(), "--rcpt", blocker, "--kind", "domain", "--value", "shop.example.com")

	tok := newToken(t)
	s := openSession(t, e.smtpAddr(slotDecree), "mta.shop.example.com", "")
	data := mail{Token: tok, From: "<" + shopSender + ">", Subject: "Your order has shipped"}.build()
	if r := mustSend(t, s, outMessage{From: shopSender, To: []string{keeper, blocker}, Data: data}); r.Code != 250 {
		t.Fatalf("reply %v, want 250", r)
	}
	m := delivered(t, e, tok)
	if len(m.To) != 1 || !strings.Contains(m.To[0], keeper) {
		t.Errorf("delivered to %q, want %s only", m.To, keeper)
	}

	tok = newToken(t)
	data = mail{Token: tok, From: "<" + shopSender + ">", Subject: "Your order has shipped"}.build()
	r := mustSend(t, s, outMessage{From: shopSender, To: []string{blocker}, Data: data})
	if r.Code != 550 || !strings.Contains(r.Text, "Art. 10.2") {
		t.Errorf("every recipient blocked: reply %v, want 550 naming Art. 10.2", r)
	}
	if e.sink.has(tok) {
		t.Error("a message every recipient blocked reached the sink")
	}
}

// A user's spam report (RFC 5965) about an ad, mailed to the abuse
// mailbox, is delivered there and records a refusal of the advertiser by
// that user: the next ad to them is tagged as spam (Decree 91/2020
// Art. 12.1, 3.4.a).
func TestSpamReportRefuses(t *testing.T) {
	e := decreeEnv(t)
	const user = "reporter@example.net"
	tok := newToken(t)
	report := strings.Join([]string{
		"From: <" + user + ">", "To: <" + abuseMailbox + ">", "Subject: spam report", "Message-ID: <" + tok + "@example.net>",
		"X-Test-Token: " + tok, "MIME-Version: 1.0",
		"Content-Type: multipart/report; report-type=feedback-report; boundary=\"b1\"", "",
		"--b1", "Content-Type: text/plain", "", "This is a spam report.", "",
		"--b1", "Content-Type: message/feedback-report", "",
		"Feedback-Type: abuse", "User-Agent: test/1.0", "Version: 1", "Original-Rcpt-To: <" + user + ">", "",
		"--b1", "Content-Type: text/rfc822-headers", "",
		"From: Shop <" + shopSender + ">", "Subject: [QC] Sale", "List-Unsubscribe: <mailto:" + refusalMailbox + ">",
		"Message-ID: <ad1@shop.example.com>", "",
		"--b1--", ""}, "\r\n")
	s := openSession(t, e.smtpAddr(slotDecree), "mua.example.net", "")
	if r := mustSend(t, s, outMessage{From: user, To: []string{abuseMailbox}, Data: []byte(report)}); r.Code != 250 {
		t.Fatalf("report: reply %v, want 250", r)
	}
	delivered(t, e, tok)
	out := milter91CLI(t, e, "refusal", "list", "--db", e.registryPath(), "--rcpt", user, "--csv")
	if !strings.Contains(out, advertiserID+","+user) || !strings.Contains(out, ",email,") || !strings.Contains(out, "spam report") {
		t.Errorf("refusal list after the report:\n%s", out)
	}
	tok = newToken(t)
	ad := adMail{Token: tok, To: user, Subject: "[QC] Autumn sale: 30% off everything"}.build()
	in := openSession(t, e.smtpAddr(slotDecree), "mta.shop.example.com", "")
	// An inbound ad to a recipient who refused is spam (Art. 3.4.a):
	// delivered tagged by D91_IN_REFUSED by default.
	if r := mustSend(t, in, outMessage{From: shopSender, To: []string{user}, Data: ad}); r.Code != 250 {
		t.Fatalf("ad after the report: reply %v, want 250 (tagged)", r)
	}
	m := delivered(t, e, tok)
	if status := fieldValues(m, "X-Spam-Status"); len(status) != 1 || !strings.Contains(status[0], "D91_IN_REFUSED") {
		t.Errorf("ad after the report: X-Spam-Status %q, want tagged by D91_IN_REFUSED", status)
	}
}
