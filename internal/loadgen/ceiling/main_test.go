package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"

	milter "github.com/d--j/go-milter"
)

// TestAcceptsEveryMessage drives the server with go-milter's client (the
// MTA side) through two messages of one session: every stage continues
// (or sends no reply, as negotiated) and end of message accepts.
func TestAcceptsEveryMessage(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	client := milter.NewClient("tcp", ln.Addr().String())
	s, err := client.Session(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, opt := range []milter.OptProtocol{milter.OptNoRcptReply, milter.OptNoHeaderReply, milter.OptHeaderLeadingSpace} {
		if !s.ProtocolOption(opt) {
			t.Errorf("protocol option %v not negotiated", opt)
		}
	}
	if s.ProtocolOption(milter.OptNoBodyReply) || s.ProtocolOption(milter.OptSkip) {
		t.Error("body replies or skips negotiated: the ceiling must answer every body chunk, as milter91 does")
	}
	if act, err := s.Conn("client.example.com", milter.FamilyInet, 25, "127.0.0.1"); err != nil || act.Type != milter.ActionContinue {
		t.Fatalf("Conn: %v %v", act, err)
	}
	if act, err := s.Helo("client.example.com"); err != nil || act.Type != milter.ActionContinue {
		t.Fatalf("Helo: %v %v", act, err)
	}
	for i := 0; i < 2; i++ {
		steps := []func() (*milter.Action, error){
			func() (*milter.Action, error) { return s.Mail("<a@example.com>", "") },
			func() (*milter.Action, error) { return s.Rcpt("<b@example.com>", "") },
			func() (*milter.Action, error) { return s.DataStart() },
			func() (*milter.Action, error) { return s.HeaderField("Subject", " hello", nil) },
			func() (*milter.Action, error) { return s.HeaderEnd() },
			func() (*milter.Action, error) { return s.BodyChunk(bytes.Repeat([]byte("body\r\n"), 100)) },
		}
		for n, step := range steps {
			if act, err := step(); err != nil || act.Type != milter.ActionContinue {
				t.Fatalf("message %d step %d: %v %v", i, n, act, err)
			}
		}
		mods, act, err := s.End()
		if err != nil || act.Type != milter.ActionAccept || len(mods) != 0 {
			t.Fatalf("message %d End: %v %v %v", i, mods, act, err)
		}
	}
}

func TestRunRefusesBadSocket(t *testing.T) {
	var out, errOut strings.Builder
	if code := run(context.Background(), []string{"--listen", "bogus"}, &out, &errOut); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	if !strings.Contains(errOut.String(), `milter socket "bogus"`) {
		t.Errorf("stderr %q", errOut.String())
	}
}

func TestRunStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut strings.Builder
	if code := run(ctx, []string{"--listen", "inet:127.0.0.1:0"}, &out, &errOut); code != 0 {
		t.Fatalf("exit code %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "accept-everything milter (upstream go-milter v0.10.1) on 127.0.0.1:") {
		t.Errorf("stdout %q", out.String())
	}
}
