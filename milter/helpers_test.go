package milter

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	gomilter "github.com/d--j/go-milter"

	"milter91/internal/txn"
)

// snapshot is what the fake evaluator saw of one transaction; the body is
// read inside Evaluate because the spool is closed afterwards.
type snapshot struct {
	T        txn.Transaction // Body is nil
	BodySum  [32]byte
	BodyLen  int64
	OnDisk   bool
	Message  string // whole rebuilt message, for small messages
	Deadline time.Time
}

// fakeEval records prefetches and transactions; fn decides the outcome
// (accept when nil).
type fakeEval struct {
	fn func(ctx context.Context, t *txn.Transaction) (*txn.Outcome, error)
	// early is Early's answer; earlyAsked counts the calls. noEarly makes
	// RejectsEarly false (the MTA then sends RCPT without waiting).
	early      *txn.Reply
	earlyAsked int
	noEarly    bool

	mu       sync.Mutex
	snaps    []snapshot
	prefetch []txn.Conn
}

func (f *fakeEval) Early(_ context.Context, _ txn.Conn, _ string) *txn.Reply {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.earlyAsked++
	return f.early
}

func (f *fakeEval) RejectsEarly() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return !f.noEarly
}

func (f *fakeEval) Prefetch(c txn.Conn) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.prefetch = append(f.prefetch, c)
}

func (f *fakeEval) Evaluate(ctx context.Context, t *txn.Transaction) (*txn.Outcome, error) {
	s := snapshot{T: *t}
	s.T.Body = nil
	s.Deadline, _ = ctx.Deadline()
	if t.Body != nil {
		h := sha256.New()
		n, _ := io.Copy(h, t.Body.Reader())
		copy(s.BodySum[:], h.Sum(nil))
		s.BodyLen, s.OnDisk = n, t.Body.OnDisk()
	}
	if t.Size() < 1<<16 {
		b, _ := io.ReadAll(t.MessageReader())
		s.Message = string(b)
	}
	f.mu.Lock()
	f.snaps = append(f.snaps, s)
	f.mu.Unlock()
	if f.fn == nil {
		return accept(), nil
	}
	return f.fn(ctx, t)
}

func (f *fakeEval) snapshots() []snapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]snapshot(nil), f.snaps...)
}

func (f *fakeEval) prefetched() []txn.Conn {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]txn.Conn(nil), f.prefetch...)
}

func accept() *txn.Outcome { return &txn.Outcome{Verdict: txn.Verdict{Action: txn.ActionAccept}} }

// logBuffer collects JSON log lines from several goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// entries returns the log lines whose msg is msg ("" for all).
func (l *logBuffer) entries(t *testing.T, msg string) []map[string]any {
	t.Helper()
	l.mu.Lock()
	data := append([]byte(nil), l.b.Bytes()...)
	l.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e map[string]any
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		if msg == "" || e["msg"] == msg {
			out = append(out, e)
		}
	}
	return out
}

// startServer serves opts on a loopback port with ev as evaluator.
// Logs go to the returned buffer unless opts.Logger is set.
func startServer(t testing.TB, opts Options, ev Evaluator) (string, *Server, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	}
	if ev != nil {
		opts.Evaluator = func() Evaluator { return ev }
	}
	srv := New(opts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return ln.Addr().String(), srv, logs
}

// mta is the MTA side: go-milter's client on one milter connection.
type mta struct {
	t      testing.TB
	s      *gomilter.ClientSession
	macros *gomilter.MacroBag
}

func dialMTA(t testing.TB, addr string, opts ...gomilter.Option) *mta {
	t.Helper()
	macros := gomilter.NewMacroBag()
	macros.Set(gomilter.MacroMTAFQDN, "mx.example.net")
	macros.Set(gomilter.MacroDaemonName, "mx-in")
	s, err := gomilter.NewClient("tcp", addr, opts...).Session(macros)
	if err != nil {
		t.Fatalf("session: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return &mta{t: t, s: s, macros: macros}
}

// connect sends a TCP connection from ip (IPv4 or IPv6) and HELO.
func (m *mta) connect(ip, helo string) {
	m.t.Helper()
	family := gomilter.FamilyInet
	if bytes.ContainsRune([]byte(ip), ':') {
		family = gomilter.FamilyInet6
	}
	m.macros.Set(gomilter.MacroClientAddr, ip)
	m.mustContinue(m.s.Conn("["+ip+"]", family, 54321, ip))
	m.mustContinue(m.s.Helo(helo))
}

func (m *mta) mustContinue(act *gomilter.Action, err error) {
	m.t.Helper()
	if err != nil {
		m.t.Fatal(err)
	}
	if act.Type != gomilter.ActionContinue {
		m.t.Fatalf("got %v, want continue", act)
	}
}

// mail is one message as the MTA hands it to the milter.
type mail struct {
	qid     string
	from    string
	rcpts   []string
	headers [][2]string
	body    []byte
}

// send runs MAIL … end of message and returns the modifications and the
// final action (a body-stage decision has no modifications).
func (m *mta) send(msg mail) ([]gomilter.ModifyAction, *gomilter.Action) {
	m.t.Helper()
	m.macros.Set(gomilter.MacroQueueId, msg.qid)
	m.mustContinue(m.s.Mail(msg.from, ""))
	for _, r := range msg.rcpts {
		m.macros.Set(gomilter.MacroRcptAddr, r)
		m.mustContinue(m.s.Rcpt(r, ""))
	}
	m.mustContinue(m.s.DataStart())
	for _, h := range msg.headers {
		m.mustContinue(m.s.HeaderField(h[0], h[1], nil))
	}
	m.mustContinue(m.s.HeaderEnd())
	mods, act, err := m.s.BodyReadFrom(bytes.NewReader(msg.body))
	if err != nil {
		m.t.Fatalf("body/end: %v", err)
	}
	return mods, act
}

// simple is a small valid message.
func simple(qid string) mail {
	return mail{
		qid:     qid,
		from:    "sender@example.com",
		rcpts:   []string{"rcpt@example.net"},
		headers: [][2]string{{"From", " <sender@example.com>"}, {"Subject", " hello"}},
		body:    []byte("Hello\r\n"),
	}
}
