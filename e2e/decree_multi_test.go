package e2e

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// An outbound ad to two consenting recipients, one of whom refused the
// advertiser, through the real Postfix: the client gets 250, the other
// recipient gets the ad (with X-Decree91-Removed saying one recipient was
// removed), the refusing one does not, and no bounce is generated
// (decree91.multi_recipient: remove_refused, the default; Art. 13.4).
// Before, reject_all answered 550 and nobody got it.
func TestDecreeRefusalRemovesOnlyThatRecipient(t *testing.T) {
	e := decreeEnv(t)
	const keep, refusing = "m1@example.org", "m2@example.org"
	addConsent(t, e, keep)
	addConsent(t, e, refusing)
	milter91CLI(t, e, "refusal", "add", "--db", e.registryPath(), "--advertiser", advertiserID,
		"--rcpt", refusing, "--channel", "web", "--evidence", "e2e test")
	s := openSession(t, e.smtpAddr(slotDecreeOut), "client.example.test", "")
	tok := newToken(t)
	data := adMail{Token: tok, To: keep, Subject: "[QC] Autumn sale: 30% off everything"}.build()
	if r := mustSend(t, s, outMessage{From: shopSender, To: []string{keep, refusing}, Data: data}); r.Code != 250 {
		t.Fatalf("reply %v, want 250 (the refusing recipient removed, not the message refused)", r)
	}
	m := delivered(t, e, tok)
	if !slices.Equal(m.To, []string{keep}) {
		t.Errorf("delivered to %v, want only %s", m.To, keep)
	}
	if got := fieldValues(m, "X-Decree91-Removed"); len(got) != 1 || !strings.HasPrefix(got[0], "1 recipient; rules=D91_OUT_REFUSED") ||
		strings.Contains(got[0], refusing) {
		t.Errorf("X-Decree91-Removed %q, want one naming the rule and no address", got)
	}
	// A marker sent after the ad through the same Postfix: once it is
	// delivered, the ad's recipients have been handled, and a bounce for
	// the removed recipient (its notice quotes the ad's header, token
	// included) would have been queued before it.
	marker := newToken(t)
	if r := mustSend(t, s, outMessage{From: "alice@example.net", To: []string{keep},
		Data: mail{Token: marker, From: "<alice@example.net>", Subject: "marker"}.build()}); r.Code != 250 {
		t.Fatalf("marker: reply %v", r)
	}
	delivered(t, e, marker)
	if n := e.sink.count(tok); n != 1 {
		t.Errorf("%d messages at the sink carry the ad's token, want 1 (no copy for %s, no bounce)", n, refusing)
	}
	if log := tailFile(e.decree.LogPath, 1<<20); !strings.Contains(log, "recipient removed") || !strings.Contains(log, refusing) {
		t.Errorf("the daemon log does not record the removal of %s", refusing)
	}
}

// count is the number of messages whose bytes (header or body: a bounce
// quotes the original header) contain token.
func (s *sink) count(token string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, m := range s.msgs {
		if bytes.Contains(m.Data, []byte(token)) {
			n++
		}
	}
	return n
}
