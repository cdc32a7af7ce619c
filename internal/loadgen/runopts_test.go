package loadgen

import (
	"context"
	"net"
	"testing"
	"time"

	gomilter "github.com/d--j/go-milter"
)

// decider answers every end of message with resp after applying mods.
type decider struct {
	gomilter.NoOpMilter
	resp *gomilter.Response
	mods func(gomilter.Modifier) error
}

func (d decider) EndOfMessage(m gomilter.Modifier) (*gomilter.Response, error) {
	if d.mods != nil {
		if err := d.mods(m); err != nil {
			return nil, err
		}
	}
	return d.resp, nil
}

func TestRunCountsActions(t *testing.T) {
	corpus := loadTestCorpus(t)
	reject550, _ := gomilter.RejectWithCodeAndReason(550, "5.7.1 no")
	defer451, _ := gomilter.RejectWithCodeAndReason(451, "4.7.1 later")
	for _, tc := range []struct {
		name   string
		milter decider
		action string
		mods   map[string]int
	}{
		{name: "reject", milter: decider{resp: gomilter.RespReject}, action: "reject"},
		{name: "reject 550", milter: decider{resp: reject550}, action: "reject"},
		{name: "tempfail", milter: decider{resp: gomilter.RespTempFail}, action: "tempfail"},
		{name: "451 is tempfail", milter: decider{resp: defer451}, action: "tempfail"},
		{name: "discard", milter: decider{resp: gomilter.RespDiscard}, action: "discard"},
		{name: "continue is accept", milter: decider{resp: gomilter.RespContinue}, action: "accept"},
		{name: "accept with changes", action: "accept",
			milter: decider{resp: gomilter.RespAccept, mods: func(m gomilter.Modifier) error {
				if err := m.InsertHeader(1, "Authentication-Results", "mx.example.net; spf=pass"); err != nil {
					return err
				}
				if err := m.AddHeader("X-Spam-Score", "1.0"); err != nil {
					return err
				}
				return m.Quarantine("held")
			}},
			mods: map[string]int{"insert_header": 12, "add_header": 12, "quarantine": 12}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := gomilter.NewServer(gomilter.WithMilter(func() gomilter.Milter { return tc.milter }),
				gomilter.WithActions(gomilter.OptAddHeader|gomilter.OptChangeHeader|gomilter.OptQuarantine))
			res, err := Run(context.Background(), RunOptions{Network: "tcp", Address: serve(t, srv), Corpus: corpus,
				Connections: 2, PerConn: 3, Messages: 12, Drain: time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			if res.Messages != 12 || res.Actions[tc.action] != 12 || res.ErrorCount() != 0 {
				t.Fatalf("messages %d actions %v errors %v (%s)", res.Messages, res.Actions, res.Errors, res.ErrorSample)
			}
			for k, v := range tc.mods {
				if res.Modifications[k] != v {
					t.Errorf("modifications %v, want %s %d", res.Modifications, k, v)
				}
			}
		})
	}
}

// TestRunDuration runs without a message limit: the duration stops it.
func TestRunDuration(t *testing.T) {
	res, err := Run(context.Background(), RunOptions{Network: "tcp", Address: serve(t, NewAcceptServer()),
		Corpus: loadTestCorpus(t), Connections: 2, PerConn: 5, Duration: 200 * time.Millisecond, Drain: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if res.Messages == 0 || res.ErrorCount() != 0 || res.Actions["accept"] != res.Messages {
		t.Fatalf("messages %d actions %v errors %v", res.Messages, res.Actions, res.Errors)
	}
}

// stuck never answers end of message until released.
type stuck struct {
	gomilter.NoOpMilter
	release chan struct{}
}

func (s stuck) EndOfMessage(gomilter.Modifier) (*gomilter.Response, error) {
	<-s.release
	return gomilter.RespAccept, nil
}

// TestRunDrainBound: messages still in flight when the drain time runs out
// are cut off and counted as abandoned, not as errors.
func TestRunDrainBound(t *testing.T) {
	release := make(chan struct{})
	srv := gomilter.NewServer(gomilter.WithMilter(func() gomilter.Milter { return stuck{release: release} }))
	addr := serve(t, srv)
	t.Cleanup(func() { close(release) })
	res, err := Run(context.Background(), RunOptions{Network: "tcp", Address: addr, Corpus: loadTestCorpus(t),
		Connections: 3, PerConn: 5, Duration: 100 * time.Millisecond, Drain: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Messages != 0 || res.Abandoned != 3 || res.ErrorCount() != 0 {
		t.Fatalf("messages %d abandoned %d errors %v", res.Messages, res.Abandoned, res.Errors)
	}
}

// TestRunNoMilter: nobody listens; every message is a session error.
func TestRunNoMilter(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	res, err := Run(context.Background(), RunOptions{Network: "tcp", Address: addr, Corpus: loadTestCorpus(t),
		Connections: 2, PerConn: 2, Messages: 6, Drain: time.Minute, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if res.Messages != 0 || res.Errors["session"] != 6 || res.ErrorSample == "" {
		t.Fatalf("messages %d errors %v sample %q", res.Messages, res.Errors, res.ErrorSample)
	}
}

func TestRunBadOptions(t *testing.T) {
	corpus := loadTestCorpus(t)
	good := RunOptions{Network: "tcp", Address: "127.0.0.1:9", Corpus: corpus, Connections: 1, PerConn: 1, Messages: 1}
	for _, tc := range []struct {
		name   string
		change func(*RunOptions)
	}{
		{name: "no corpus", change: func(o *RunOptions) { o.Corpus = nil }},
		{name: "empty corpus", change: func(o *RunOptions) { o.Corpus = &Corpus{} }},
		{name: "no connections", change: func(o *RunOptions) { o.Connections = 0 }},
		{name: "no messages per connection", change: func(o *RunOptions) { o.PerConn = 0 }},
		{name: "no limit", change: func(o *RunOptions) { o.Messages = 0 }},
		{name: "no address", change: func(o *RunOptions) { o.Address = "" }},
		{name: "no such daemon", change: func(o *RunOptions) { o.DaemonPID = 1 << 30 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := good
			tc.change(&o)
			if _, err := Run(context.Background(), o); err == nil {
				t.Fatal("no error")
			}
		})
	}
}
