package loadgen

import (
	"context"
	"net"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	gomilter "github.com/d--j/go-milter"

	"milter91/milter"
)

// serve runs srv on a loopback port until the test ends and returns the
// address.
func serve(t *testing.T, srv *gomilter.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// loadTestCorpus returns the shared corpus, loaded.
func loadTestCorpus(t *testing.T) *Corpus {
	t.Helper()
	dir, _ := testCorpus(t)
	c, err := LoadCorpus(dir)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRunAcceptServer is the integration test: 100 messages on 4
// connections against the accept server, measuring this process.
func TestRunAcceptServer(t *testing.T) {
	opts := RunOptions{
		Network: "tcp", Address: serve(t, NewAcceptServer()), Corpus: loadTestCorpus(t),
		Connections: 4, PerConn: 10, Messages: 100, Drain: time.Minute, DaemonPID: os.Getpid(),
	}
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Messages != 100 || res.Actions["accept"] != 100 || len(res.Actions) != 1 {
		t.Fatalf("messages %d, actions %v: want 100 accepted", res.Messages, res.Actions)
	}
	if res.ErrorCount() != 0 || res.Abandoned != 0 {
		t.Fatalf("errors %v (%s), abandoned %d", res.Errors, res.ErrorSample, res.Abandoned)
	}
	if res.Sessions < 10 || res.Sessions > 100 {
		t.Fatalf("%d sessions for 100 messages at 10 per connection", res.Sessions)
	}
	for _, p := range []Percentiles{res.EOM, res.Message} {
		if !(p.P50 > 0 && p.P50 <= p.P90 && p.P90 <= p.P99 && p.P99 <= p.Max) {
			t.Fatalf("latencies not ordered: %+v", p)
		}
	}
	if res.EOM.Max > res.Message.Max {
		t.Fatalf("EOM max %v above whole-message max %v", res.EOM.Max, res.Message.Max)
	}
	if d := res.Daemon; d == nil || d.Samples < 1 || d.PeakRSSBytes <= 0 || d.HWMBytes < d.PeakRSSBytes/2 {
		t.Fatalf("daemon stats %+v", res.Daemon)
	}
}

// seen is what a recording milter received for one message.
type seen struct {
	clientAddr, helo, from, authUser, daemonName, mta string
	rcpts                                             []string
	headers, bodyBytes                                int
}

// recorder is a milter that records each message by queue ID (macro i).
type recorder struct {
	gomilter.NoOpMilter
	mu       *sync.Mutex
	byQueue  map[string]seen
	sessions *int
	cur      seen
	conn     seen
}

func (r *recorder) Connect(_ string, _ string, _ uint16, addr string, m gomilter.Modifier) (*gomilter.Response, error) {
	r.mu.Lock()
	*r.sessions++
	r.mu.Unlock()
	r.conn = seen{clientAddr: addr, daemonName: m.Get(gomilter.MacroDaemonName), mta: m.Get(gomilter.MacroMTAFQDN)}
	return gomilter.RespContinue, nil
}

func (r *recorder) Helo(name string, _ gomilter.Modifier) (*gomilter.Response, error) {
	r.conn.helo = name
	return gomilter.RespContinue, nil
}

func (r *recorder) MailFrom(from string, _ string, m gomilter.Modifier) (*gomilter.Response, error) {
	r.cur = r.conn
	r.cur.from, r.cur.authUser = from, m.Get(gomilter.MacroAuthAuthen)
	return gomilter.RespContinue, nil
}

func (r *recorder) RcptTo(rcpt string, _ string, _ gomilter.Modifier) (*gomilter.Response, error) {
	r.cur.rcpts = append(r.cur.rcpts, rcpt)
	return gomilter.RespContinue, nil
}

func (r *recorder) Header(string, string, gomilter.Modifier) (*gomilter.Response, error) {
	r.cur.headers++
	return gomilter.RespContinue, nil
}

func (r *recorder) BodyChunk(chunk []byte, _ gomilter.Modifier) (*gomilter.Response, error) {
	r.cur.bodyBytes += len(chunk)
	return gomilter.RespContinue, nil
}

func (r *recorder) EndOfMessage(m gomilter.Modifier) (*gomilter.Response, error) {
	r.mu.Lock()
	r.byQueue[m.Get(gomilter.MacroQueueId)] = r.cur
	r.mu.Unlock()
	return gomilter.RespAccept, nil
}

// TestRunSendsWhatPostfixSends checks, message by message, that the milter
// got the manifest's client, HELO, envelope, macros, headers and body.
func TestRunSendsWhatPostfixSends(t *testing.T) {
	var mu sync.Mutex
	byQueue, sessions := map[string]seen{}, 0
	opts := append(milter.NegotiationOptions(), gomilter.WithMilter(func() gomilter.Milter {
		return &recorder{mu: &mu, byQueue: byQueue, sessions: &sessions}
	}))
	corpus := loadTestCorpus(t)
	res, err := Run(context.Background(), RunOptions{Network: "tcp", Address: serve(t, gomilter.NewServer(opts...)),
		Corpus: corpus, Connections: 3, PerConn: 4, Messages: 60, Drain: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(byQueue) != 60 || res.Messages != 60 || sessions != res.Sessions {
		t.Fatalf("milter saw %d messages in %d sessions; result %d in %d", len(byQueue), sessions, res.Messages, res.Sessions)
	}
	for qid, got := range byQueue {
		seq, err := strconv.ParseInt(qid[1:], 16, 64)
		if err != nil {
			t.Fatalf("queue ID %q: %v", qid, err)
		}
		m := corpus.Messages[seq%int64(len(corpus.Messages))]
		wantDaemon := mtaName
		if m.AuthUser != "" {
			wantDaemon = "ORIGINATING"
		}
		if got.clientAddr != m.ClientIP || got.helo != m.Helo || got.from != m.MailFrom ||
			got.authUser != m.AuthUser || got.daemonName != wantDaemon || got.mta != mtaName {
			t.Errorf("%s: milter saw %+v", m.File, got)
		}
		if len(got.rcpts) != len(m.Rcpts) || got.headers != len(m.Headers) || got.bodyBytes != len(m.Body) {
			t.Errorf("%s: %d rcpts, %d headers, %d body bytes; want %d, %d, %d", m.File,
				len(got.rcpts), got.headers, got.bodyBytes, len(m.Rcpts), len(m.Headers), len(m.Body))
		}
	}
}

// AsUser replays the corpus as one authenticated user: the milter sees
// that login, sender and client on every message, over submission.
func TestRunAsUser(t *testing.T) {
	var mu sync.Mutex
	byQueue, sessions := map[string]seen{}, 0
	opts := append(milter.NegotiationOptions(), gomilter.WithMilter(func() gomilter.Milter {
		return &recorder{mu: &mu, byQueue: byQueue, sessions: &sessions}
	}))
	corpus := loadTestCorpus(t)
	ip := corpus.Messages[0].ClientIP
	corpus.AsUser("alice@example.com")
	if _, err := Run(context.Background(), RunOptions{Network: "tcp", Address: serve(t, gomilter.NewServer(opts...)),
		Corpus: corpus, Connections: 2, PerConn: 5, Messages: 20, Drain: time.Minute}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(byQueue) != 20 {
		t.Fatalf("milter saw %d messages, want 20", len(byQueue))
	}
	for qid, got := range byQueue {
		if got.authUser != "alice@example.com" || got.from != "alice@example.com" || got.clientAddr != ip || got.daemonName != "ORIGINATING" {
			t.Errorf("%s: milter saw %+v", qid, got)
		}
	}
}
