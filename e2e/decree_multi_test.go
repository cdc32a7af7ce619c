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
	s, tok, data := oneRefuses(t, e, keep, refusing)
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

// oneRefuses records the consents of keep and refusing and the refusal of
// refusing (advertiserID), and returns an outbound session and a labelled
// compliant ad with its token.
func oneRefuses(t *testing.T, e *env, keep, refusing string) (*smtpSession, string, []byte) {
	t.Helper()
	addConsent(t, e, keep)
	addConsent(t, e, refusing)
	milter91CLI(t, e, "refusal", "add", "--db", e.registryPath(), "--advertiser", advertiserID,
		"--rcpt", refusing, "--channel", "web", "--evidence", "e2e test")
	tok := newToken(t)
	data := adMail{Token: tok, To: keep, Subject: "[QC] Autumn sale: 30% off everything"}.build()
	return openSession(t, e.smtpAddr(slotDecreeOut), "client.example.test", ""), tok, data
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

// An outbound ad from an envelope sender declared to send only ads
// (decree91.ad_envelope_senders): the recipient who refused its advertiser
// is refused at RCPT (550 5.7.1 Art. 13.4, D91_OUT_REFUSED_RCPT), the
// other is accepted, and the message, sent to the one accepted, reaches
// only it; nothing is bounced (the client knows at RCPT).
func TestDecreeRefusedRecipientRejectedAtRcpt(t *testing.T) {
	e := decreeEnv(t)
	const keep, refusing = "r1@example.org", "r2@example.org"
	s, tok, data := oneRefuses(t, e, keep, refusing)
	steps := []struct {
		cmd  string
		want int
	}{
		{"MAIL FROM:<bounce@" + adEnvelopeDomain + ">", 250},
		{"RCPT TO:<" + keep + ">", 250},
		{"RCPT TO:<" + refusing + ">", 550},
		{"DATA", 354},
	}
	for _, st := range steps {
		r, err := s.cmd(st.cmd)
		if err != nil {
			t.Fatal(err)
		}
		if r.Code != st.want {
			t.Fatalf("%s: %v, want %d", st.cmd, r, st.want)
		}
		if st.want == 550 && (!strings.HasPrefix(r.Text, "5.7.1 ") || !strings.Contains(r.Text, "Art. 13.4")) {
			t.Errorf("%s: %v, want 5.7.1 naming Art. 13.4", st.cmd, r)
		}
	}
	if err := writeDot(s.tp.W, data); err != nil {
		t.Fatal(err)
	}
	if r, err := s.cmd(""); err != nil || r.Code != 250 {
		t.Fatalf("end of data: %v %v, want 250", r, err)
	}
	m := delivered(t, e, tok)
	if !slices.Equal(m.To, []string{keep}) {
		t.Errorf("delivered to %v, want only %s", m.To, keep)
	}
	if got := fieldValues(m, "X-Decree91-Removed"); len(got) != 0 {
		t.Errorf("X-Decree91-Removed %q: nobody was removed at the end", got)
	}
}
