package milter

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	gomilter "github.com/d--j/go-milter"

	"milter91/internal/txn"
)

// rejectWithFacts rejects with two matched rules, two timed checks and seven
// DNS queries.
func rejectWithFacts(context.Context, *txn.Transaction) (*txn.Outcome, error) {
	return &txn.Outcome{
		Facts: txn.Facts{
			Durations:  map[string]time.Duration{"spf": 12 * time.Millisecond, "dnsbl": 3 * time.Millisecond},
			DNSQueries: 7,
		},
		Verdict: txn.Verdict{Action: txn.ActionReject, Score: 9.5,
			Matches: []txn.Match{{ID: "spf_fail"}, {ID: "dnsbl_zen"}},
			Reply:   txn.Reply{Code: 550, Enhanced: "5.7.1", Text: "Blocked"}},
	}, nil
}

func TestSummaryLogLine(t *testing.T) {
	ev := &fakeEval{fn: rejectWithFacts}
	var stats []txn.Answer
	var mu sync.Mutex
	opts := Options{FailMode: txn.ActionTempfail, Answered: func(a txn.Answer) {
		mu.Lock()
		stats = append(stats, a)
		mu.Unlock()
	}}
	addr, _, logs := startServer(t, opts, ev)
	m := dialMTA(t, addr)
	m.macros.Set(gomilter.MacroAuthAuthen, "alice")
	m.connect("127.0.0.2", "helo.example.com")
	msg := simple("4QID")
	msg.rcpts = []string{"a@example.net", "b@example.net"}
	m.send(msg)

	lines := logs.entries(t, "4QID: reject")
	if len(lines) != 1 {
		t.Fatalf("%d summary lines, want 1; log: %v", len(lines), logs.entries(t, ""))
	}
	l := lines[0]
	want := map[string]any{
		"level": "INFO", "queue_id": "4QID", "client_ip": "127.0.0.2", "client_name": "[127.0.0.2]", "helo": "helo.example.com",
		"from": "sender@example.com", "auth": "alice", "action": "reject", "score": 9.5,
		"dns_queries": 7.0, "reply": "550 5.7.1 Blocked",
		"size": float64(len("From: <sender@example.com>\r\nSubject: hello\r\n\r\nHello\r\n")),
	}
	for k, v := range want {
		if l[k] != v {
			t.Errorf("%s = %v (%T), want %v", k, l[k], l[k], v)
		}
	}
	if got := toStrings(l["rcpts"]); !slices.Equal(got, msg.rcpts) {
		t.Errorf("rcpts = %v, want %v", got, msg.rcpts)
	}
	if got := toStrings(l["rules"]); !slices.Equal(got, []string{"spf_fail", "dnsbl_zen"}) {
		t.Errorf("rules = %v, want [spf_fail dnsbl_zen]", got)
	}
	checks, _ := l["checks"].(map[string]any)
	if checks["spf"] != float64(12*time.Millisecond) || checks["dnsbl"] != float64(3*time.Millisecond) {
		t.Errorf("checks = %v, want spf 12ms and dnsbl 3ms in ns", checks)
	}
	if e, ok := l["elapsed"].(float64); !ok || e <= 0 {
		t.Errorf("elapsed = %v, want a positive duration", l["elapsed"])
	}
	mu.Lock()
	defer mu.Unlock()
	if len(stats) != 1 || stats[0].Action != txn.ActionReject || stats[0].Fault != "" || stats[0].Size != int64(want["size"].(float64)) {
		t.Errorf("answered %+v, want one reject without fault", stats)
	}
}

func toStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// Without an evaluator every message gets the fail mode.
func TestNoEvaluator(t *testing.T) {
	addr, _, logs := startServer(t, Options{FailMode: txn.ActionTempfail}, nil)
	m := dialMTA(t, addr)
	m.connect("127.0.0.2", "helo.example.com")
	_, act := m.send(simple("QNONE"))
	if act.SMTPReply != "451 4.7.1 Service unavailable - try again later" {
		t.Errorf("got %v, want the fail-mode tempfail", act)
	}
	if lines := logs.entries(t, "QNONE: tempfail"); len(lines) != 1 || lines[0]["fault"] != faultEvaluator {
		t.Errorf("summary %v, want one line with fault=%s", lines, faultEvaluator)
	}
}
