package milter

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	gomilter "github.com/d--j/go-milter"

	"milter91/internal/txn"
)

// answerSink collects what Options.Answered is told.
type answerSink struct {
	mu  sync.Mutex
	all []txn.Answer
}

func (r *answerSink) add(a txn.Answer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a.Rcpts, a.Headers = slices.Clone(a.Rcpts), slices.Clone(a.Headers)
	r.all = append(r.all, a)
}

func (r *answerSink) answers() []txn.Answer {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.all)
}

// Answered gets the header block as delivered (our edits applied), the
// envelope, the outcome and the decision sent.
func TestAnswered(t *testing.T) {
	edits := []txn.HeaderEdit{
		{Op: txn.EditDelete, Name: "X-Spam-Flag", Index: 1},
		{Op: txn.EditInsert, Name: "Authentication-Results", Index: 1, Value: " mx.example.net; spf=pass"},
		{Op: txn.EditAdd, Name: "X-Decree91", Value: " ad; direction=inbound"},
	}
	out := &txn.Outcome{Verdict: txn.Verdict{Action: txn.ActionTag, Score: 6.5}, Edits: edits}
	ev := &fakeEval{fn: func(_ context.Context, _ *txn.Transaction) (*txn.Outcome, error) { return out, nil }}
	sink := &answerSink{}
	addr, _, _ := startServer(t, Options{Answered: sink.add}, ev)
	m := dialMTA(t, addr)
	m.connect("127.0.0.2", "helo.example.test")
	msg := simple("QA1")
	msg.headers = [][2]string{{"X-Spam-Flag", " YES"}, {"From", " Sender <Sender@Example.COM>"},
		{"Message-ID", " <abc@example.com>"}, {"Subject", " [QC]\r\n hello"}}
	if _, act := m.send(msg); act.Type != gomilter.ActionAccept {
		t.Fatalf("action %v", act)
	}
	all := sink.answers()
	if len(all) != 1 {
		t.Fatalf("%d answers, want 1", len(all))
	}
	a := all[0]
	wantHeader := "Authentication-Results: mx.example.net; spf=pass\r\nFrom: Sender <Sender@Example.COM>\r\n" +
		"Message-ID: <abc@example.com>\r\nSubject: [QC]\r\n hello\r\nX-Decree91: ad; direction=inbound"
	if got := render(a.Headers); got != wantHeader {
		t.Errorf("header block:\n%q\nwant\n%q", got, wantHeader)
	}
	if a.QueueID != "QA1" || a.Conn.ClientIP.String() != "127.0.0.2" || a.Conn.HELO != "helo.example.test" ||
		a.MailFrom != "sender@example.com" || !slices.Equal(a.Rcpts, []string{"rcpt@example.net"}) ||
		a.Action != txn.ActionTag || a.Outcome != out || a.Stage != "" || a.Fault != "" || a.Size == 0 ||
		a.Time.IsZero() || a.SendErr != nil {
		t.Errorf("answer = %+v", a)
	}
}

// A client rejected at RCPT is told once per client, without a header
// block or an outcome.
func TestAnsweredEarlyReject(t *testing.T) {
	reply := &txn.Reply{Code: 554, Enhanced: "5.7.1", Text: "client listed"}
	sink := &answerSink{}
	addr, _, _ := startServer(t, Options{Answered: sink.add}, &fakeEval{early: reply})
	m := dialMTA(t, addr)
	m.connect("127.0.0.9", "client.example.test")
	m.mustContinue(m.s.Mail("spammer@example.com", ""))
	for _, rcpt := range []string{"a@example.net", "b@example.net"} {
		if act, err := m.s.Rcpt(rcpt, ""); err != nil || act.Type != gomilter.ActionRejectWithCode {
			t.Fatalf("RCPT %s: %+v %v", rcpt, act, err)
		}
	}
	all := sink.answers()
	if len(all) != 1 {
		t.Fatalf("%d answers, want 1 per rejected client", len(all))
	}
	a := all[0]
	if a.Action != txn.ActionReject || a.Reply != *reply || a.Conn.ClientIP.String() != "127.0.0.9" || a.Headers != nil ||
		!slices.Equal(a.Rcpts, []string{"a@example.net"}) || a.Stage != txn.StageRCPT || a.Outcome != nil || a.Size != 0 {
		t.Errorf("answer = %+v", a)
	}
}

// A fault is told with its kind and error and the fail mode's answer; a
// refused message with its received header block.
func TestAnsweredFault(t *testing.T) {
	boom := errors.New("boom")
	ev := &fakeEval{fn: func(context.Context, *txn.Transaction) (*txn.Outcome, error) { return nil, boom }}
	sink := &answerSink{}
	addr, _, _ := startServer(t, Options{Answered: sink.add, FailMode: txn.ActionTempfail}, ev)
	m := dialMTA(t, addr)
	m.connect("127.0.0.2", "helo.example.test")
	m.macros.Set(gomilter.MacroAuthAuthen, "alice")
	m.send(simple("QF1"))
	all := sink.answers()
	if len(all) != 1 {
		t.Fatalf("%d answers, want 1", len(all))
	}
	a := all[0]
	if a.Action != txn.ActionTempfail || a.Reply != failReply || a.Fault != faultError || !errors.Is(a.FaultErr, boom) ||
		a.Outcome != nil || a.AuthUser != "alice" || len(a.Headers) == 0 {
		t.Errorf("answer = %+v", a)
	}
}
