package milter

import (
	"strings"
	"sync"
	"testing"

	gomilter "github.com/d--j/go-milter"

	"milter91/internal/txn"
)

// An early reject answers every RCPT of the session with the reply and
// asks the evaluator once; an authenticated message is not rejected
// early; without a reply the message goes through.
func TestEarlyRejectAtRcpt(t *testing.T) {
	reply := &txn.Reply{Code: 554, Enhanced: "5.7.1", Text: "Service unavailable; client [127.0.0.2] listed in national"}
	ev := &fakeEval{early: reply}
	addr, _, logs := startServer(t, Options{}, ev)
	m := dialMTA(t, addr)
	m.connect("127.0.0.2", "client.example.test")
	m.mustContinue(m.s.Mail("spammer@example.com", ""))
	for _, rcpt := range []string{"a@example.net", "b@example.net"} {
		act, err := m.s.Rcpt(rcpt, "")
		if err != nil {
			t.Fatal(err)
		}
		if act.Type != gomilter.ActionRejectWithCode || act.SMTPCode != 554 || act.SMTPReply != "554 5.7.1 Service unavailable; client [127.0.0.2] listed in national" {
			t.Fatalf("RCPT %s: %+v, want the 554 reply", rcpt, act)
		}
	}
	ev.mu.Lock()
	asked := ev.earlyAsked
	ev.mu.Unlock()
	if got := len(logs.entries(t, "client rejected at RCPT")); got != 1 || asked != 1 {
		t.Errorf("%d log lines, %d evaluator calls; want one each", got, asked)
	}
	// The same client, logged in: accepted (Postfix sends {auth_authen} at MAIL).
	if err := m.s.Abort(nil); err != nil {
		t.Fatal(err)
	}
	m.macros.Set(gomilter.MacroAuthAuthen, "alice")
	_, act := m.send(simple("Q2"))
	if act.Type != gomilter.ActionAccept {
		t.Errorf("authenticated message: %v, want accept", act)
	}
	m.macros.Set(gomilter.MacroAuthAuthen, "")
	ev.mu.Lock()
	ev.early = nil
	ev.mu.Unlock()
	m2 := dialMTA(t, addr)
	m2.connect("127.0.0.3", "client.example.test")
	if _, act := m2.send(simple("Q3")); act.Type != gomilter.ActionAccept {
		t.Errorf("no early reply: %v, want accept", act)
	}
}

// Without early rejects the MTA is told not to wait for RCPT replies
// (SMFIP_NR_RCPT) and Early is not asked; the message goes through.
func TestNoRcptReplyWithoutEarlyRejects(t *testing.T) {
	ev := &fakeEval{noEarly: true, early: &txn.Reply{Code: 554, Enhanced: "5.7.1", Text: "never sent"}}
	addr, _, _ := startServer(t, Options{}, ev)
	m := dialMTA(t, addr)
	m.connect("127.0.0.2", "client.example.test")
	if !m.s.ProtocolOption(gomilter.OptNoRcptReply) {
		t.Fatal("SMFIP_NR_RCPT not negotiated")
	}
	if _, act := m.send(simple("Q1")); act.Type != gomilter.ActionAccept {
		t.Errorf("message: %v, want accept", act)
	}
	ev.mu.Lock()
	asked := ev.earlyAsked
	ev.noEarly = false
	ev.mu.Unlock()
	if asked != 0 {
		t.Errorf("Early asked %d times on a connection without RCPT replies", asked)
	}
	if m2 := dialMTA(t, addr); m2.s.ProtocolOption(gomilter.OptNoRcptReply) {
		t.Error("SMFIP_NR_RCPT negotiated although the evaluator may reject early")
	}
}

// EarlyRcpt's reject refuses that recipient alone, authenticated mail
// too; the other recipients and the message go on; Answered is told with
// Stage rcpt and the outcome.
func TestEarlyRcptRefusesOneRecipient(t *testing.T) {
	out := &txn.Outcome{Verdict: txn.Verdict{Action: txn.ActionReject, Forced: true,
		Matches: []txn.Match{{ID: "D91_OUT_REFUSED_RCPT"}},
		Reply:   txn.Reply{Code: 550, Enhanced: "5.7.1", Text: "Recipient b@example.net refused advertising from example.com (Decree 91/2020 Art. 13.4)"}}}
	ev := &fakeEval{rcptOutcome: map[string]*txn.Outcome{"b@example.net": out}}
	var answers []txn.Answer
	var mu sync.Mutex
	addr, _, logs := startServer(t, Options{Answered: func(a txn.Answer) { mu.Lock(); answers = append(answers, a); mu.Unlock() }}, ev)
	m := dialMTA(t, addr)
	m.connect("127.0.0.5", "client.example.test")
	m.macros.Set(gomilter.MacroAuthAuthen, "alice")
	m.mustContinue(m.s.Mail("news@ads.example.com", ""))
	for _, tc := range []struct {
		rcpt string
		code uint16
	}{{"a@example.net", 0}, {"b@example.net", 550}, {"c@example.net", 0}} {
		act, err := m.s.Rcpt(tc.rcpt, "")
		if err != nil {
			t.Fatal(err)
		}
		if tc.code == 0 && act.Type != gomilter.ActionContinue {
			t.Errorf("RCPT %s: %+v, want continue", tc.rcpt, act)
		}
		if tc.code != 0 && (act.Type != gomilter.ActionRejectWithCode || act.SMTPCode != tc.code || !strings.Contains(act.SMTPReply, "Art. 13.4")) {
			t.Errorf("RCPT %s: %+v, want 550 naming Art. 13.4", tc.rcpt, act)
		}
	}
	if got := len(logs.entries(t, "recipient rejected at RCPT")); got != 1 {
		t.Errorf("%d log lines, want 1", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(answers) != 1 || answers[0].Stage != txn.StageRCPT || answers[0].Outcome != out || answers[0].Rcpts[0] != "b@example.net" {
		t.Errorf("answers %+v, want one at RCPT for b with the outcome", answers)
	}
}
