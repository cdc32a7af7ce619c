package milter

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	gomilter "github.com/d--j/go-milter"

	"milter91/internal/engine"
	"milter91/internal/resolver"
	"milter91/internal/txn"
	"milter91/rules"
)

// recordingEval passes Evaluate to the real engine and keeps its error.
type recordingEval struct {
	*engine.Engine
	mu  sync.Mutex
	err error
	ran bool
}

func (r *recordingEval) Evaluate(ctx context.Context, t *txn.Transaction) (*txn.Outcome, error) {
	out, err := r.Engine.Evaluate(ctx, t)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.err, r.ran = err, true
	return out, err
}

// A message far too large to check within a 1 ms deadline (an 8 MiB body
// hashed for each of five DKIM signatures) gets the fail mode, and the
// evaluation goroutine then ends: the engine stopped at the deadline
// (its error is the deadline's, so it did not finish the work) and the
// body spool file is gone.
func TestDeadlineStopsEvaluation(t *testing.T) {
	key := "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(make([]byte, 32))
	set, err := rules.Compile(rules.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(engine.Options{Resolver: &resolver.Fake{TXT: map[string][]string{"s1._domainkey.example.com": {key}}},
		Rules: set, AuthservID: "mx.example.net"})
	if err != nil {
		t.Fatal(err)
	}
	ev := &recordingEval{Engine: eng}
	spool := t.TempDir()
	opts := Options{FailMode: txn.ActionTempfail, Deadline: time.Millisecond, SpoolDir: spool}
	addr, srv, logs := startServer(t, opts, ev)
	m := dialMTA(t, addr)
	m.connect("127.0.0.2", "helo.example.com")
	msg := simple("QFAULT")
	for range 5 {
		// Signatures that do not verify still have the body hashed.
		msg.headers = append(msg.headers, [2]string{"DKIM-Signature", " v=1; a=ed25519-sha256; d=example.com; s=s1; h=from; bh=AAAA; b=AAAA"})
	}
	msg.body = []byte(strings.Repeat("An ordinary line of a long message body.\r\n", 200_000))
	if _, act := m.send(msg); act.Type != gomilter.ActionRejectWithCode || act.SMTPReply != "451 4.7.1 Service unavailable - try again later" {
		t.Fatalf("got %v %q, want the tempfail fail mode", act.Type, act.SMTPReply)
	}
	checkFaultLog(t, logs, faultDeadline)

	ended := make(chan struct{})
	go func() {
		srv.evals.Wait()
		close(ended)
	}()
	select {
	case <-ended:
	case <-time.After(2 * time.Minute): // a last guard, not a measure
		t.Fatal("the evaluation goroutine still runs 2 minutes after the fail mode answered")
	}
	ev.mu.Lock()
	defer ev.mu.Unlock()
	if !ev.ran || !errors.Is(ev.err, context.DeadlineExceeded) {
		t.Errorf("engine returned %v (ran %v), want the deadline's error", ev.err, ev.ran)
	}
	if files, err := os.ReadDir(spool); err != nil || len(files) != 0 {
		t.Errorf("spool dir holds %d files (%v), want the body removed", len(files), err)
	}
}
