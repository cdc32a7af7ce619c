package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
)

// A client that drops the connection during DATA: the daemon stays up and
// logs no panic, the next message over a new connection is accepted and
// delivered, the cut message is not delivered, and no body spool file is
// left behind. Postfix hands the header and body to the milter only once
// the whole message has arrived (cleanup, at end of data), so a cut before
// the final dot reaches the milter as an abort of a message without body;
// the cut after the final dot has the milter check (and spool) the whole
// 2 MiB body while the client is already gone.
func TestFaultClientDisconnect(t *testing.T) {
	e := needEnv(t)
	spool := filepath.Join(e.root, "d-"+slotFaultCut, "spool")
	if err := os.MkdirAll(spool, 0o755); err != nil {
		t.Fatal(err)
	}
	d, _ := faultDaemon(t, e, slotFaultCut, e.dns.Addr(), "milter91.log", [][2]string{{"spool_dir", spool}})
	body := bigBody(2 << 20) // above spool_threshold (256 KiB)
	tests := []struct {
		name  string
		cut   func(stream int) int // bytes of the dot-stuffed DATA stream sent before the close
		reset bool                 // close with a TCP reset instead of a FIN
		want  int                  // deliveries of the cut message
	}{
		{name: "right after the 354", cut: func(int) int { return 0 }},
		{name: "in the header", cut: func(int) int { return 100 }},
		{name: "half the body", cut: func(n int) int { return n / 2 }},
		{name: "half the body, TCP reset", cut: func(n int) int { return n / 2 }, reset: true},
		{name: "all but the final dot", cut: func(n int) int { return n - len(".\r\n") }},
		// Postfix owns the message once the dot arrives and queues it
		// whether or not the client reads the 250.
		{name: "after the final dot, reply unread", cut: func(n int) int { return n }, want: 1},
	}
	next := &tally{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := newToken(t)
			if err := cutSession(e.smtpAddr(slotFaultCut), faultMessage(tok, "cut", body), tc.cut, tc.reset); err != nil {
				t.Fatal(err)
			}
			after := newToken(t)
			r, err := sendOnce(e.smtpAddr(slotFaultCut), faultMessage(after, "after a cut", ""))
			next.add(after, r, err)
			if err != nil || r.Code != 250 {
				t.Fatalf("next message over a new connection: reply %v (err %v), want 250", r, err)
			}
			delivered(t, e, after)
			if tc.want > 0 {
				// The small next message can overtake the cut one,
				// which is still in cleanup while the milter checks
				// its 2 MiB body: wait for the cut one itself.
				delivered(t, e, tok)
			}
			// Once the queue (incoming included) is empty, no cut
			// message can still be queued or delivered again.
			if err := e.postfix.waitQueueEmpty(sinkTimeout); err != nil {
				t.Fatal(err)
			}
			if n := e.sink.sinkCounts()[messageID(tok)]; n != tc.want {
				t.Errorf("cut message arrived %d times, want %d", n, tc.want)
			}
			if !d.running() {
				t.Fatal("milter91 exited after a client disconnect")
			}
		})
	}
	t.Logf("messages after the cuts: %v; arrived at the sink: %d", next, verifyDelivery(t, e, next))
	waitSpoolEmpty(t, spool)
	checkMemory(t, d, maxDaemonRSS)
	if p := logProblems(d, true); len(p) > 0 {
		t.Errorf("daemon log reports a panic, race or error:\n%s", p)
	}
}

// cutSession starts a transaction for m at addr, sends cut(len) bytes of
// its dot-stuffed DATA stream (RFC 5321 §4.5.2, final ".\r\n" included in
// len) and closes the connection without reading a reply.
func cutSession(addr string, m outMessage, cut func(stream int) int, reset bool) error {
	var stream bytes.Buffer
	w := bufio.NewWriter(&stream)
	if err := writeDot(w, m.Data); err != nil {
		return err
	}
	s, r, err := dialGreeted(addr)
	if s == nil {
		return fmt.Errorf("connect: reply %v, err %v", r, err)
	}
	defer s.conn.Close()
	for _, c := range []string{"MAIL FROM:<" + m.From + ">", "RCPT TO:<" + m.To[0] + ">", "DATA"} {
		r, err := s.cmd(c)
		if err != nil || r.Code/100 > 3 {
			return fmt.Errorf("%s: reply %v, err %v", c, r, err)
		}
	}
	if _, err := s.conn.Write(stream.Bytes()[:cut(stream.Len())]); err != nil {
		return err
	}
	if reset {
		return s.conn.(*net.TCPConn).SetLinger(0) // the deferred Close sends the RST
	}
	return nil
}
