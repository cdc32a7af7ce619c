package milter

import (
	"log/slog"
	"strconv"
	"strings"
	"testing"

	gomilter "github.com/d--j/go-milter"

	"milter91/internal/archive"
	"milter91/internal/txn"
)

// BenchmarkMessage measures one message (5 headers, 4 KiB body, tag with one
// added header) over a loopback milter connection with a trivial evaluator;
// /answered with an Answered hook that builds the archive record, as serve
// runs with an archive.
func BenchmarkMessage(b *testing.B) {
	b.Run("bare", func(b *testing.B) { benchMessage(b, nil) })
	b.Run("answered", func(b *testing.B) {
		benchMessage(b, func(a txn.Answer) { sinkRecord = archive.NewRecord(a) })
	})
}

var sinkRecord archive.Record

func benchMessage(b *testing.B, answered func(txn.Answer)) {
	ev := &fakeEval{fn: outcome(txn.ActionTag, txn.Reply{}, txn.HeaderEdit{Op: txn.EditAdd, Name: "X-Spam", Value: " No"})}
	opts := Options{FailMode: txn.ActionTempfail, Logger: slog.New(slog.DiscardHandler), Answered: answered}
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

// BenchmarkForgedResults measures what the milter does with n forged
// Authentication-Results fields deleted by n edits (the engine's
// deletions, last first): in one pass the edits sent to the MTA and the
// header block as delivered for the archive. Linear: 10× the fields, about 10× the
// time.
func BenchmarkForgedResults(b *testing.B) {
	for _, n := range []int{8000, 80000} {
		received := make([]txn.Header, 0, n+1)
		edits := make([]txn.HeaderEdit, 0, n+1)
		received = append(received, txn.Header{Name: "From", Value: " a@example.com"})
		for i := range n {
			received = append(received, txn.Header{Name: "Authentication-Results", Value: " mx.example.net; spf=pass"})
			edits = append(edits, txn.HeaderEdit{Op: txn.EditDelete, Name: "Authentication-Results", Index: n - i})
		}
		edits = append(edits, txn.HeaderEdit{Op: txn.EditInsert, Name: "Authentication-Results", Index: 1, Value: " mx.example.net; spf=none"})
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				got, err := applyEdits(discardModifier{}, received, edits, editOptions{leadSpace: true, deliver: true, warn: func(string, ...any) {}})
				if err != nil {
					b.Fatal(err)
				}
				if len(got) != 2 {
					b.Fatalf("%d headers delivered, want 2", len(got))
				}
			}
		})
	}
}

// discardModifier accepts every header edit.
type discardModifier struct{}

func (discardModifier) AddHeader(string, string) error         { return nil }
func (discardModifier) ChangeHeader(int, string, string) error { return nil }
func (discardModifier) InsertHeader(int, string, string) error { return nil }
