package e2e

import (
	"encoding/csv"
	"strings"
	"testing"
)

// The Decree 91/2020 tests use the decree daemon (registry, outbound by
// {daemon_name}) and one recipient each, so that their consents, refusals
// and send counts do not meet. The registry lives as long as the run.

// An outbound ad to a recipient with consent, complete but for its label,
// is rejected at the SMTP level with the article; the labelled one passes.
func TestDecreeOutboundLabel(t *testing.T) {
	e := decreeEnv(t)
	const rcpt = "w@example.org"
	addConsent(t, e, rcpt)
	tests := []struct {
		name     string
		subject  string
		wantCode int
		wantText string // substring of the reply text after the enhanced code
	}{
		{name: "labelled [AD]", subject: "[AD] Autumn sale: 30% off everything", wantCode: 250},
		{name: "unlabelled", subject: "Autumn sale: 30% off everything", wantCode: 550, wantText: "(Decree 91/2020 Art. 18)"},
		{name: "legacy [ADV]", subject: "[ADV] Autumn sale: 30% off everything", wantCode: 550, wantText: "(Decree 91/2020 Art. 18)"},
	}
	s := openSession(t, e.smtpAddr(slotDecreeOut), "client.example.test", "")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := newToken(t)
			data := adMail{Token: tok, To: rcpt, Subject: tc.subject}.build()
			r := mustSend(t, s, outMessage{From: shopSender, To: []string{rcpt}, Data: data})
			if r.Code != tc.wantCode {
				t.Fatalf("reply %v, want %d", r, tc.wantCode)
			}
			if tc.wantCode == 250 {
				delivered(t, e, tok)
				return
			}
			if !strings.HasPrefix(r.Text, "5.7.1 ") || !strings.Contains(r.Text, tc.wantText) {
				t.Errorf("reply %v, want 5.7.1 naming %q", r, tc.wantText)
			}
			if e.sink.has(tok) {
				t.Error("rejected ad reached the sink")
			}
		})
	}
}

// A local user who writes (outbound) to the refusal mailbox an inbound ad
// named refuses that advertiser at once: the next ad to the user is
// rejected (Art. 13.4, 20.3) and the registry holds a captured refusal.
func TestDecreeRefusalCapture(t *testing.T) {
	e := decreeEnv(t)
	tests := []struct {
		name   string
		user   string
		optOut string   // the opt-out block's email address
		extra  []string // header fields of the ads
	}{
		{
			name:   "List-Unsubscribe mailto",
			user:   "u@example.net",
			optOut: "optout@shop.example.com",
			extra:  []string{"List-Unsubscribe: <mailto:" + refusalMailbox + "?subject=unsubscribe>"},
		},
		{name: "opt-out block email", user: "v@example.net", optOut: refusalMailbox},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := openSession(t, e.smtpAddr(slotDecree), "mta.shop.example.com", "")
			sendAd := func() (reply, string) {
				tok := newToken(t)
				data := adMail{Token: tok, To: tc.user, Subject: "[AD] Autumn sale", OptOut: tc.optOut, Extra: tc.extra}.build()
				return mustSend(t, in, outMessage{From: shopSender, To: []string{tc.user}, Data: data}), tok
			}
			r, tok := sendAd()
			if r.Code != 250 {
				t.Fatalf("first ad: reply %v, want 250", r)
			}
			if got := fieldValues(delivered(t, e, tok), "X-Decree91"); len(got) != 1 || !strings.HasPrefix(got[0], "ad; direction=inbound;") {
				t.Errorf("first ad: X-Decree91 %q, want one inbound ad mark", got)
			}

			tok = newToken(t)
			refusal := mail{Token: tok, From: "<" + tc.user + ">", Subject: "Please stop"}.build()
			out := openSession(t, e.smtpAddr(slotDecreeOut), "pc.example.net", "")
			if r := mustSend(t, out, outMessage{From: tc.user, To: []string{refusalMailbox}, Data: refusal}); r.Code != 250 {
				t.Fatalf("mail to the refusal mailbox: reply %v, want 250", r)
			}
			delivered(t, e, tok)

			// An ad to a recipient who refused is spam (Art. 3.4.a):
			// delivered tagged by default, rejecting it is policy.
			r, tok = sendAd()
			if r.Code != 250 {
				t.Fatalf("ad after the refusal: reply %v, want 250 (tagged)", r)
			}
			m := delivered(t, e, tok)
			if flags, status := fieldValues(m, "X-Spam-Flag"), fieldValues(m, "X-Spam-Status"); len(flags) != 1 ||
				len(status) != 1 || !strings.Contains(status[0], "D91_IN_REFUSED") {
				t.Errorf("ad after the refusal: X-Spam-Flag %q X-Spam-Status %q, want tagged by D91_IN_REFUSED", flags, status)
			}
			assertCapturedRefusal(t, e, tc.user)
		})
	}
}

// assertCapturedRefusal fails unless `milter91 refusal list` shows a
// refusal of advertiserID by user with channel captured.
func assertCapturedRefusal(t *testing.T, e *env, user string) {
	t.Helper()
	out := milter91CLI(t, e, "refusal", "list", "--db", e.registryPath(), "--rcpt", user, "--csv")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("refusal list: %v\n%s", err, out)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	for _, row := range rows[1:] {
		if row[col["advertiser"]] == advertiserID && row[col["recipient"]] == user && row[col["channel"]] == "captured" {
			return
		}
	}
	t.Errorf("refusal list has no captured refusal of %s by %s:\n%s", advertiserID, user, out)
}

// A labelled inbound ad is delivered marked, not spam-tagged; a forged
// X-Decree91 from upstream is removed.
func TestDecreeInboundLabelledAdMarked(t *testing.T) {
	e := decreeEnv(t)
	const rcpt = "reader@example.net"
	tok := newToken(t)
	data := adMail{Token: tok, To: rcpt, Subject: "[AD] Autumn sale: 30% off everything", Extra: []string{
		"X-Decree91: none; direction=outbound; forged=yes",
	}}.build()
	s := openSession(t, e.smtpAddr(slotDecree), "mta.shop.example.com", "")
	if r := mustSend(t, s, outMessage{From: shopSender, To: []string{rcpt}, Data: data}); r.Code != 250 {
		t.Fatalf("reply %v, want 250", r)
	}
	m := delivered(t, e, tok)
	marks := fieldValues(m, "X-Decree91")
	if len(marks) != 1 || strings.Contains(marks[0], "forged") {
		t.Fatalf("X-Decree91 fields %q, want only ours (the forged one removed)", marks)
	}
	for _, want := range []string{"ad; direction=inbound; label=ok;", "advertiser=" + advertiserID, "grade=certain"} {
		if !strings.Contains(marks[0], want) {
			t.Errorf("X-Decree91 %q lacks %q", marks[0], want)
		}
	}
	if flags := fieldValues(m, "X-Spam-Flag"); len(flags) != 0 {
		t.Errorf("labelled ad spam-tagged: X-Spam-Flag %q", flags)
	}
}

// An unlabelled inbound ad is spam (Art. 3.4.a): delivered, tagged by
// D91_IN_UNLABELLED alone (its score is the tag threshold).
func TestDecreeInboundUnlabelledAdTagged(t *testing.T) {
	e := decreeEnv(t)
	const rcpt = "reader2@example.net"
	tok := newToken(t)
	data := adMail{Token: tok, To: rcpt, Subject: "Autumn sale: 30% off everything",
		Extra: []string{"List-Unsubscribe: <mailto:" + refusalMailbox + ">"}}.build()
	s := openSession(t, e.smtpAddr(slotDecree), "mta.shop.example.com", "")
	if r := mustSend(t, s, outMessage{From: shopSender, To: []string{rcpt}, Data: data}); r.Code != 250 {
		t.Fatalf("reply %v, want 250", r)
	}
	m := delivered(t, e, tok)
	if flags, status := fieldValues(m, "X-Spam-Flag"), fieldValues(m, "X-Spam-Status"); len(flags) != 1 ||
		len(status) != 1 || !strings.Contains(status[0], "D91_IN_UNLABELLED") {
		t.Errorf("unlabelled ad: X-Spam-Flag %q X-Spam-Status %q, want tagged by D91_IN_UNLABELLED", flags, status)
	}
}

// With consent, three outbound ads to one recipient pass in 24 h and the
// 4th is deferred (Art. 13.5, default cap 3).
func TestDecreeOutboundFrequencyCap(t *testing.T) {
	e := decreeEnv(t)
	const rcpt = "u@example.org"
	addConsent(t, e, rcpt)
	s := openSession(t, e.smtpAddr(slotDecreeOut), "client.example.test", "")
	for i, want := range []int{250, 250, 250, 451} {
		tok := newToken(t)
		data := adMail{Token: tok, To: rcpt, Subject: "[QC] Autumn sale: 30% off everything"}.build()
		r := mustSend(t, s, outMessage{From: shopSender, To: []string{rcpt}, Data: data})
		if r.Code != want {
			t.Fatalf("ad %d: reply %v, want %d", i+1, r, want)
		}
		if want == 250 {
			delivered(t, e, tok)
			continue
		}
		if !strings.HasPrefix(r.Text, "4.7.1 ") || !strings.Contains(r.Text, "Art. 13.5") {
			t.Errorf("ad %d: reply %v, want 451 4.7.1 naming Art. 13.5", i+1, r)
		}
		if e.sink.has(tok) {
			t.Errorf("ad %d: deferred ad reached the sink", i+1)
		}
	}
}

// An outbound ad whose client dropped after the final dot and sent it
// again counts once against the 24 h cap (Art. 13.5): with the resend,
// two more ads pass and only the fourth distinct one is deferred.
func TestDecreeCapCountsResendOnce(t *testing.T) {
	e := decreeEnv(t)
	const rcpt = "resend@example.org"
	addConsent(t, e, rcpt)
	ad := func(tok string) outMessage {
		data := adMail{Token: tok, To: rcpt, Subject: "[QC] Autumn sale: 30% off everything"}.build()
		return outMessage{From: shopSender, To: []string{rcpt}, Data: data}
	}
	first := newToken(t)
	s, r, err := dialGreeted(e.smtpAddr(slotDecreeOut))
	if s == nil {
		t.Fatalf("connect: %v %v", r, err)
	}
	dropAfterDot(t, s, ad(first))
	delivered(t, e, first)
	if r, err := sendOnce(e.smtpAddr(slotDecreeOut), ad(first)); err != nil || r.Code != 250 {
		t.Fatalf("the resent ad: %v %v, want 250", r, err)
	}
	s2 := openSession(t, e.smtpAddr(slotDecreeOut), "client.example.test", "")
	for i, want := range []int{250, 250, 451} {
		tok := newToken(t)
		r := mustSend(t, s2, ad(tok))
		if r.Code != want || (want == 451 && !strings.Contains(r.Text, "Art. 13.5")) {
			t.Fatalf("distinct ad %d after the resend: reply %v, want %d", i+2, r, want)
		}
		if want == 250 {
			delivered(t, e, tok)
		}
	}
}
