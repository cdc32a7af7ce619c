package milter

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	gomilter "github.com/d--j/go-milter"

	"milter91/internal/txn"
)

const headerLimitReply = "552 5.3.4 Message header exceeds fixed limit"

// fields returns n header fields "X-Fill-i: " + fill.
func fields(n int, fill string) [][2]string {
	out := make([][2]string, n)
	for i := range out {
		out[i] = [2]string{fmt.Sprintf("X-Fill-%d", i), " " + fill}
	}
	return out
}

// block returns n header fields (n <= 10) of exactly size bytes as the
// limit counts them (name ":" value CRLF).
func block(n, size int) [][2]string {
	const overhead = len("X-Fill-0: \r\n")
	out := fields(n, strings.Repeat("v", size/n-overhead))
	last := &out[n-1][1]
	*last += strings.Repeat("v", size-n*(size/n))
	return out
}

// Past MaxHeaderFields or MaxHeaderBytes a message is rejected with
// 552 5.3.4 without being evaluated (at the first body chunk, or at end of
// message for an empty body: milter91 asks for no header replies); at the
// limit it is accepted. Every rejection is logged and counted with its
// limit, and the next message on the connection is checked normally.
func TestHeaderLimits(t *testing.T) {
	tests := []struct {
		name      string
		headers   [][2]string
		body      string
		wantLimit string
	}{
		{"10 fields, 4096 bytes: at the limits", block(10, 4096), "Hi\r\n", ""},
		{"11 fields", fields(11, "v"), "Hi\r\n", LimitHeaderFields},
		{"4097 bytes", block(10, 4097), "Hi\r\n", LimitHeaderBytes},
		{"one field of 5000 bytes", [][2]string{{"Subject", " " + strings.Repeat("s", 5000)}}, "Hi\r\n", LimitHeaderBytes},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var stats []txn.Answer
			ev := &fakeEval{}
			addr, _, logs := startServer(t, Options{MaxHeaderBytes: 4096, MaxHeaderFields: 10,
				Answered: func(a txn.Answer) { mu.Lock(); stats = append(stats, a); mu.Unlock() }}, ev)
			m := dialMTA(t, addr)
			m.connect("127.0.0.2", "helo.example.com")
			msg := simple("Q1")
			msg.headers, msg.body = tc.headers, []byte(tc.body)
			_, act := m.send(msg)
			mu.Lock()
			got := stats[0]
			mu.Unlock()
			if tc.wantLimit == "" {
				if act.Type != gomilter.ActionAccept || len(ev.snapshots()) != 1 || got.Limit != "" {
					t.Fatalf("got %v, %d evaluations, limit %q; want accept after one evaluation", act, len(ev.snapshots()), got.Limit)
				}
				return
			}
			if act.Type != gomilter.ActionRejectWithCode || act.SMTPReply != headerLimitReply {
				t.Fatalf("got %v %q, want %q", act.Type, act.SMTPReply, headerLimitReply)
			}
			if n := len(ev.snapshots()); n != 0 {
				t.Errorf("evaluated %d times, want 0", n)
			}
			lines := logs.entries(t, "Q1: reject")
			if len(lines) != 1 || lines[0]["limit"] != tc.wantLimit || lines[0]["reply"] != headerLimitReply {
				t.Errorf("log lines %v, want one with limit=%s and the reply", lines, tc.wantLimit)
			}
			if got.Limit != tc.wantLimit {
				t.Errorf("Answer.Limit = %q, want %q", got.Limit, tc.wantLimit)
			}
			if err := m.s.Abort(nil); err != nil {
				t.Fatal(err)
			}
			if _, act := m.send(simple("Q2")); act.Type != gomilter.ActionAccept {
				t.Errorf("next message: %v, want accept", act)
			}
		})
	}
}

// An MTA that reads header replies (no SMFIP_NR_HDR) gets the rejection
// at the field that passes the limit.
func TestHeaderLimitAtHeaderWithHeaderReplies(t *testing.T) {
	addr, _, _ := startServer(t, Options{MaxHeaderFields: 2}, &fakeEval{})
	m := dialMTA(t, addr, gomilter.WithoutProtocol(gomilter.OptNoHeaderReply))
	m.connect("127.0.0.2", "helo.example.com")
	m.mustContinue(m.s.Mail("sender@example.com", ""))
	m.mustContinue(m.s.Rcpt("rcpt@example.net", ""))
	m.mustContinue(m.s.DataStart())
	for i, h := range fields(3, "v") {
		act, err := m.s.HeaderField(h[0], h[1], nil)
		if err != nil {
			t.Fatal(err)
		}
		if i < 2 && act.Type != gomilter.ActionContinue {
			t.Fatalf("field %d: %v, want continue", i+1, act)
		}
		if i == 2 && (act.Type != gomilter.ActionRejectWithCode || act.SMTPReply != headerLimitReply) {
			t.Fatalf("field 3 of at most 2: %v %q, want %q", act.Type, act.SMTPReply, headerLimitReply)
		}
	}
}

// Past a limit nothing more of the header block is kept, whatever follows;
// the size still counts every field.
func TestAddHeaderStopsStoring(t *testing.T) {
	msg := &message{}
	for i := 0; i < 5000; i++ {
		msg.addHeader("X-A", " 0123456789", true, 1<<20, 100)
	}
	const field = int64(len("X-A: 0123456789\r\n"))
	if len(msg.headers) != 100 || msg.over != LimitHeaderFields || msg.headSize != 5000*field {
		t.Errorf("stored %d fields, over %q, size %d; want 100, %s, %d", len(msg.headers), msg.over, msg.headSize, LimitHeaderFields, 5000*field)
	}
	msg = &message{}
	for i := 0; i < 5000; i++ {
		msg.addHeader("X-A", " 0123456789", true, 100*field, 1000)
	}
	if len(msg.headers) != 100 || msg.over != LimitHeaderBytes {
		t.Errorf("stored %d fields, over %q; want 100 (%d bytes), %s", len(msg.headers), msg.over, 100*field, LimitHeaderBytes)
	}
}

// With an empty body (no body chunk: Postfix sends none) the rejection is
// the answer to end of message.
func TestHeaderLimitAtEndOfMessage(t *testing.T) {
	ev := &fakeEval{}
	srv := New(Options{MaxHeaderFields: 1, Evaluator: func() Evaluator { return ev }, Logger: slog.New(slog.DiscardHandler)})
	s, m := newSession(srv, wantedProtocol), noMacros{}
	for _, call := range []func() (*gomilter.Response, error){
		func() (*gomilter.Response, error) { return s.MailFrom("sender@example.com", "", m) },
		func() (*gomilter.Response, error) { return s.Header("From", " a@example.com", m) },
		func() (*gomilter.Response, error) { return s.Header("To", " b@example.com", m) },
		func() (*gomilter.Response, error) { return s.Headers(m) },
	} {
		if resp, err := call(); err != nil || resp != gomilter.RespContinue {
			t.Fatalf("before end of message: %v, %v; want continue (no header replies negotiated)", resp, err)
		}
	}
	resp, err := s.EndOfMessage(m)
	want := `response=reply_code action=reject code=552 reason="552 5.3.4 Message header exceeds fixed limit"`
	if err != nil || resp.String() != want {
		t.Fatalf("end of message: %v, %v; want %s", resp, err, want)
	}
	if n := len(ev.snapshots()); n != 0 {
		t.Errorf("evaluated %d times, want 0", n)
	}
}
