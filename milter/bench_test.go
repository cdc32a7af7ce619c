package milter

import (
	"log/slog"
	"strings"
	"testing"

	gomilter "github.com/d--j/go-milter"

	"milter91/txn"
)

// BenchmarkMessage measures one message (5 headers, 4 KiB body, tag with one
// added header) over a loopback milter connection with a trivial evaluator.
func BenchmarkMessage(b *testing.B) {
	ev := &fakeEval{fn: outcome(txn.ActionTag, txn.Reply{}, txn.HeaderEdit{Op: txn.EditAdd, Name: "X-Spam", Value: " No"})}
	opts := Options{FailMode: txn.ActionTempfail, Logger: slog.New(slog.DiscardHandler)}
	addr, _, _ := startServer(b, opts, ev)
	m := dialMTA(b, addr)
	m.connect("127.0.0.2", "helo.example.com")
	msg := simple("QBENCH")
	msg.headers = append(msg.headers, [][2]string{{"To", " <rcpt@example.net>"},
		{"Date", " Mon, 1 Jan 2024 00:00:00 +0000"}, {"Message-ID", " <1@example.com>"}}...)
	msg.body = []byte(strings.Repeat("0123456789abcdef\r\n", 228))
	b.SetBytes(int64(len(msg.body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, act := m.send(msg); act.Type != gomilter.ActionAccept {
			b.Fatalf("got %v, want accept", act)
		}
		ev.mu.Lock()
		ev.snaps = ev.snaps[:0]
		ev.mu.Unlock()
	}
}
