package milter

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	gomilter "github.com/d--j/go-milter"

	"milter91/internal/txn"
)

func outcome(action txn.Action, reply txn.Reply, edits ...txn.HeaderEdit) func(context.Context, *txn.Transaction) (*txn.Outcome, error) {
	return func(context.Context, *txn.Transaction) (*txn.Outcome, error) {
		return &txn.Outcome{Verdict: txn.Verdict{Action: action, Reply: reply}, Edits: edits}, nil
	}
}

// The edits the client records, in order, with the indices the MTA gets.
func TestEditsReachMTAInOrder(t *testing.T) {
	edits := []txn.HeaderEdit{
		{Op: txn.EditDelete, Name: "X-Spam-Flag", Index: 1},
		{Op: txn.EditDelete, Name: "X-Spam-Flag", Index: 2},
		{Op: txn.EditChange, Name: "X-Spam-Flag", Index: 3, Value: " NO"},
		{Op: txn.EditInsert, Name: "Authentication-Results", Index: 1, Value: " mx.example.net;\r\n\tspf=pass smtp.mailfrom=example.com"},
		{Op: txn.EditAdd, Name: "X-Spam-Status", Value: " Yes, score=7.3"},
	}
	ev := &fakeEval{fn: outcome(txn.ActionTag, txn.Reply{}, edits...)}
	addr, _, _ := startServer(t, Options{FailMode: txn.ActionTempfail}, ev)
	m := dialMTA(t, addr)
	m.connect("127.0.0.2", "helo.example.com")
	msg := simple("Q1")
	msg.headers = [][2]string{{"X-Spam-Flag", " YES"}, {"X-Spam-Flag", " YES"}, {"X-Spam-Flag", " YES"}}
	mods, act := m.send(msg)
	if act.Type != gomilter.ActionAccept {
		t.Fatalf("final action %v, want accept", act)
	}
	want := []gomilter.ModifyAction{
		{Type: gomilter.ActionChangeHeader, HeaderIndex: 1, HeaderName: "X-Spam-Flag"},
		{Type: gomilter.ActionChangeHeader, HeaderIndex: 1, HeaderName: "X-Spam-Flag"},
		{Type: gomilter.ActionChangeHeader, HeaderIndex: 1, HeaderName: "X-Spam-Flag", HeaderValue: " NO"},
		{Type: gomilter.ActionInsertHeader, HeaderIndex: 1, HeaderName: "Authentication-Results", HeaderValue: " mx.example.net;\n\tspf=pass smtp.mailfrom=example.com"},
		{Type: gomilter.ActionAddHeader, HeaderName: "X-Spam-Status", HeaderValue: " Yes, score=7.3"},
	}
	if !slices.EqualFunc(mods, want, sameMod) {
		t.Errorf("modifications:\n got %v\nwant %v", mods, want)
	}
}

func sameMod(a, b gomilter.ModifyAction) bool {
	return a.Type == b.Type && a.HeaderIndex == b.HeaderIndex && a.HeaderName == b.HeaderName &&
		a.HeaderValue == b.HeaderValue && a.Reason == b.Reason
}

func TestVerdictReplies(t *testing.T) {
	addHdr := txn.HeaderEdit{Op: txn.EditAdd, Name: "X-Spam", Value: " Yes"}
	tests := []struct {
		name      string
		action    txn.Action
		reply     txn.Reply
		quarReas  string
		discard   bool
		wantType  gomilter.ActionType
		wantReply string // SMTP reply for reject/tempfail
		wantMods  []gomilter.ModifyAction
	}{
		{name: "reject as given", action: txn.ActionReject, reply: txn.Reply{Code: 554, Enhanced: "5.7.1", Text: "Spam message rejected"},
			wantType: gomilter.ActionRejectWithCode, wantReply: "554 5.7.1 Spam message rejected"},
		{name: "tempfail as given", action: txn.ActionTempfail, reply: txn.Reply{Code: 451, Enhanced: "4.7.1", Text: "Try again later"},
			wantType: gomilter.ActionRejectWithCode, wantReply: "451 4.7.1 Try again later"},
		{name: "class mismatch falls back", action: txn.ActionReject, reply: txn.Reply{Code: 550, Enhanced: "4.7.1", Text: "Blocked"},
			wantType: gomilter.ActionRejectWithCode, wantReply: "550 5.7.1 Blocked"},
		{name: "tempfail with 5xx falls back", action: txn.ActionTempfail, reply: txn.Reply{Code: 550, Enhanced: "5.7.1", Text: "Later"},
			wantType: gomilter.ActionRejectWithCode, wantReply: "451 4.7.1 Later"},
		{name: "percent doubled once, CR LF NUL gone", action: txn.ActionReject, reply: txn.Reply{Code: 550, Enhanced: "5.7.26", Text: "100% spam\r\nBcc: x\x00"},
			wantType: gomilter.ActionRejectWithCode, wantReply: "550 5.7.26 100%% spam Bcc: x"},
		{name: "empty reply gets defaults", action: txn.ActionReject,
			wantType: gomilter.ActionRejectWithCode, wantReply: "550 5.7.1 Message rejected"},
		{name: "tag adds headers and accepts", action: txn.ActionTag, wantType: gomilter.ActionAccept,
			wantMods: []gomilter.ModifyAction{{Type: gomilter.ActionAddHeader, HeaderName: "X-Spam", HeaderValue: " Yes"}}},
		{name: "quarantine holds with reason", action: txn.ActionQuarantine, quarReas: "held\r\nfor review", wantType: gomilter.ActionAccept,
			wantMods: []gomilter.ModifyAction{{Type: gomilter.ActionAddHeader, HeaderName: "X-Spam", HeaderValue: " Yes"},
				{Type: gomilter.ActionQuarantine, Reason: "held for review"}}},
		{name: "discard drops without edits", action: txn.ActionAccept, discard: true, wantType: gomilter.ActionDiscard},
		{name: "discard only with accept", action: txn.ActionTag, discard: true, wantType: gomilter.ActionAccept,
			wantMods: []gomilter.ModifyAction{{Type: gomilter.ActionAddHeader, HeaderName: "X-Spam", HeaderValue: " Yes"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := &fakeEval{fn: func(context.Context, *txn.Transaction) (*txn.Outcome, error) {
				return &txn.Outcome{Verdict: txn.Verdict{Action: tc.action, Reply: tc.reply},
					Edits: []txn.HeaderEdit{addHdr}, Quarantine: tc.quarReas, Discard: tc.discard}, nil
			}}
			addr, _, _ := startServer(t, Options{FailMode: txn.ActionTempfail}, ev)
			m := dialMTA(t, addr)
			m.connect("127.0.0.2", "helo.example.com")
			mods, act := m.send(simple("Q1"))
			if act.Type != tc.wantType || (tc.wantReply != "" && act.SMTPReply != tc.wantReply) {
				t.Errorf("action %v, want %v %q", act, tc.wantType, tc.wantReply)
			}
			if !slices.EqualFunc(mods, tc.wantMods, sameMod) {
				t.Errorf("modifications %v, want %v", mods, tc.wantMods)
			}
		})
	}
}

func TestFailMode(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	edit := []txn.HeaderEdit{{Op: txn.EditAdd, Name: "X-Must-Not", Value: " appear"}}
	faults := []struct {
		name string
		kind string
		fn   func(context.Context, *txn.Transaction) (*txn.Outcome, error)
	}{
		{"panic", faultPanic, func(context.Context, *txn.Transaction) (*txn.Outcome, error) { panic("boom") }},
		{"error with outcome", faultError, func(context.Context, *txn.Transaction) (*txn.Outcome, error) {
			return &txn.Outcome{Verdict: txn.Verdict{Action: txn.ActionTag}, Edits: edit}, errors.New("rules broken")
		}},
		{"deadline, evaluator ignores ctx", faultDeadline, func(context.Context, *txn.Transaction) (*txn.Outcome, error) {
			<-release
			return accept(), nil
		}},
		{"deadline, evaluator honours ctx", faultDeadline, func(ctx context.Context, _ *txn.Transaction) (*txn.Outcome, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}},
		{"nil outcome", faultOutcome, func(context.Context, *txn.Transaction) (*txn.Outcome, error) { return nil, nil }},
		{"unknown action", faultOutcome, outcome(txn.Action(42), txn.Reply{}, edit...)},
	}
	for _, f := range faults {
		for _, mode := range []txn.Action{txn.ActionTempfail, txn.ActionAccept} {
			t.Run(f.name+"/"+mode.String(), func(t *testing.T) {
				var kinds []string
				var mu sync.Mutex
				opts := Options{FailMode: mode, Deadline: 100 * time.Millisecond,
					Answered: func(a txn.Answer) { mu.Lock(); kinds = append(kinds, a.Fault); mu.Unlock() }}
				addr, _, logs := startServer(t, opts, &fakeEval{fn: f.fn})
				m := dialMTA(t, addr)
				m.connect("127.0.0.2", "helo.example.com")
				mods, act := m.send(simple("QFAULT"))
				if len(mods) != 0 {
					t.Errorf("modifications %v, want none after a fault", mods)
				}
				wantType, wantReply := gomilter.ActionAccept, "250 accept"
				if mode == txn.ActionTempfail {
					wantType, wantReply = gomilter.ActionRejectWithCode, "451 4.7.1 Service unavailable - try again later"
				}
				if act.Type != wantType || act.SMTPReply != wantReply {
					t.Errorf("got %v %q, want %v %q", act.Type, act.SMTPReply, wantType, wantReply)
				}
				checkFaultLog(t, logs, f.kind)
				mu.Lock()
				defer mu.Unlock()
				if !slices.Equal(kinds, []string{f.kind}) {
					t.Errorf("answered faults %v, want [%s]", kinds, f.kind)
				}
			})
		}
	}
}

func checkFaultLog(t *testing.T, logs *logBuffer, kind string) {
	t.Helper()
	lines := logs.entries(t, "QFAULT: internal fault, fail mode applies")
	if len(lines) != 1 || lines[0]["queue_id"] != "QFAULT" || lines[0]["fault"] != kind {
		t.Fatalf("fault log lines %v, want one for QFAULT with fault=%s", lines, kind)
	}
	stack, _ := lines[0]["stack"].(string)
	if (kind == faultPanic) != strings.Contains(stack, "goroutine") {
		t.Errorf("stack %q: want a stack trace exactly for panics", stack)
	}
}

func TestBodyStageDecisions(t *testing.T) {
	tests := []struct {
		name      string
		opts      Options
		wantType  gomilter.ActionType
		wantReply string
	}{
		{"over MaxMessageSize", Options{FailMode: txn.ActionTempfail, MaxMessageSize: 4096},
			gomilter.ActionRejectWithCode, "552 5.3.4 Message size exceeds fixed limit"},
		{"spool failure, tempfail", Options{FailMode: txn.ActionTempfail, SpoolThreshold: 10},
			gomilter.ActionRejectWithCode, "451 4.7.1 Service unavailable - try again later"},
		{"spool failure, accept", Options{FailMode: txn.ActionAccept, SpoolThreshold: 10},
			gomilter.ActionAccept, "250 accept"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.opts.SpoolThreshold > 0 {
				tc.opts.SpoolDir = filepath.Join(t.TempDir(), "missing")
			}
			ev := &fakeEval{}
			addr, _, _ := startServer(t, tc.opts, ev)
			m := dialMTA(t, addr)
			m.connect("127.0.0.2", "helo.example.com")
			big := simple("Q1")
			big.body = []byte(strings.Repeat("x", 10000))
			mods, act := m.send(big)
			if len(mods) != 0 || act.Type != tc.wantType || act.SMTPReply != tc.wantReply {
				t.Fatalf("got %v %v, want %v %q", mods, act, tc.wantType, tc.wantReply)
			}
			if n := len(ev.snapshots()); n != 0 {
				t.Errorf("evaluated %d times, want 0", n)
			}
			// The session goes on: Postfix aborts and sends the next message.
			if err := m.s.Abort(nil); err != nil {
				t.Fatal(err)
			}
			if _, act := m.send(simple("Q2")); act.Type != gomilter.ActionAccept {
				t.Errorf("next message: %v, want accept", act)
			}
		})
	}
}

func TestShutdownFinishesMessageInFlight(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	ev := &fakeEval{fn: func(context.Context, *txn.Transaction) (*txn.Outcome, error) {
		close(entered)
		<-release
		return accept(), nil
	}}
	addr, srv, _ := startServer(t, Options{FailMode: txn.ActionTempfail}, ev)
	m := dialMTA(t, addr)
	m.connect("127.0.0.2", "helo.example.com")

	result := make(chan *gomilter.Action, 1)
	go func() {
		_, act, err := sendAsync(m, simple("QSHUT"))
		if err != nil {
			act = &gomilter.Action{Type: gomilter.ActionDiscard, SMTPReply: err.Error()}
		}
		result <- act
	}()
	<-entered
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shut <- srv.Shutdown(ctx)
	}()
	close(release)
	if act := <-result; act.Type != gomilter.ActionAccept {
		t.Fatalf("in-flight message got %v, want accept", act)
	}
	if err := m.s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v, want nil", err)
	}
	if _, err := gomilter.NewClient("tcp", addr).Session(nil); err == nil {
		t.Error("new connection accepted after Shutdown")
	}
}

// sendAsync is mta.send without testing.T calls, for use off the test goroutine.
func sendAsync(m *mta, msg mail) ([]gomilter.ModifyAction, *gomilter.Action, error) {
	m.macros.Set(gomilter.MacroQueueId, msg.qid)
	steps := []func() (*gomilter.Action, error){
		func() (*gomilter.Action, error) { return m.s.Mail(msg.from, "") },
		func() (*gomilter.Action, error) { return m.s.Rcpt(msg.rcpts[0], "") },
		m.s.DataStart,
		m.s.HeaderEnd,
	}
	for _, step := range steps {
		if _, err := step(); err != nil {
			return nil, nil, err
		}
	}
	return m.s.BodyReadFrom(strings.NewReader(string(msg.body)))
}
