package bench

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// foldedMessage is message(b, 10 KiB) with size more bytes of folded
// header fields after its signed ones: X-Folded-1, -2, … of 64 KiB each,
// made of 5-byte continuation lines (the shape that made every per-line
// copy quadratic).
func foldedMessage(b *testing.B, size int) []byte {
	b.Helper()
	msg := message(b, 10*kib)
	var block bytes.Buffer
	for i := 1; block.Len() < size; i++ {
		start := block.Len()
		fmt.Fprintf(&block, "X-Folded-%d: start\r\n", i)
		for block.Len()-start < 64*kib && block.Len() < size {
			block.WriteString(" ab\r\n")
		}
	}
	end := bytes.Index(msg, []byte("\r\n\r\n")) + 2
	return append(append(append([]byte{}, msg[:end]...), block.Bytes()...), msg[end:]...)
}

// BenchmarkFoldedHeader measures txn.ReadMessage and engine.Evaluate (as
// BenchmarkPipeline, DKIM passing) on a message with 1 and 10 MiB of
// folded header: linear, 10× the header costs about 10× the time.
func BenchmarkFoldedHeader(b *testing.B) {
	for _, size := range []int{mib, 10 * mib} {
		b.Run(sizeName(size), func(b *testing.B) {
			p := newPipeline(b, 0)
			msg := foldedMessage(b, size)
			out, err := p.evaluate(transaction(b, msg))
			wantAccepted(b, out, err)
			b.SetBytes(int64(len(msg)))
			loopEvaluate(b, p, msg)
		})
	}
}

// BenchmarkForgedResultsEngine measures engine.Evaluate on a message with
// 8 000 and 80 000 forged Authentication-Results claiming the authserv-id:
// each one is found and deleted (the milter side is
// milter.BenchmarkForgedResults).
func BenchmarkForgedResultsEngine(b *testing.B) {
	for _, n := range []int{8000, 80000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			p := newPipeline(b, 0)
			msg := message(b, 10*kib)
			forged := strings.Repeat("Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=example.com\r\n", n)
			msg = append([]byte(forged), msg...)
			out, err := p.evaluate(transaction(b, msg))
			wantAccepted(b, out, err)
			if len(out.Edits) != n+1 {
				b.Fatalf("%d edits, want %d deletes and our Authentication-Results", len(out.Edits), n)
			}
			loopEvaluate(b, p, msg)
		})
	}
}

// loopEvaluate reads and evaluates msg in the benchmark loop and reports
// the process's CPU time per message (cpu-ns/op).
func loopEvaluate(b *testing.B, p *pipeline, msg []byte) {
	b.ReportAllocs()
	cpu := cpuTime(b)
	for b.Loop() {
		if _, err := p.evaluate(transaction(b, msg)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime(b)-cpu)/float64(b.N), "cpu-ns/op")
}
