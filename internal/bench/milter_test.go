package bench

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gomilter "github.com/d--j/go-milter"

	"milter91/internal/engine"
	"milter91/internal/txn"
)

// BenchmarkMilter measures one 10 KiB message through the milter adapter:
// go-milter's client (the MTA side, in this process) sends MAIL … end of
// message over loopback TCP to milter.New serving the real engine, which
// answers accept with an inserted Authentication-Results. Numbers include
// the client's work; cpu-ns/op is the whole process's CPU time per message.
func BenchmarkMilter(b *testing.B) {
	p := newPipeline(b, 0)
	m := dialMTA(b, startMilter(b, p.eng, 0), message(b, 10*kib))
	mods, act, err := m.send()
	wantDKIMPassAccept(b, mods, act, err)
	before := p.dns.Queries()
	b.SetBytes(10 * kib)
	b.ReportAllocs()
	cpu := cpuTime(b)
	for b.Loop() {
		if _, _, err := m.send(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime(b)-cpu)/float64(b.N), "cpu-ns/op")
	if n := p.dns.Queries() - before; n != 0 {
		b.Fatalf("%d DNS queries during the loop, want 0 (cache)", n)
	}
}

// gate is an Evaluator that holds each message at end of message until
// released, so that a batch of messages is in flight at once.
type gate struct {
	eng     *engine.Engine
	arrived chan struct{}
	release chan struct{}
	onDisk  atomic.Int64 // messages whose body went to a file
}

func (g *gate) Prefetch(c txn.Conn) { g.eng.Prefetch(c) }

func (g *gate) RejectsEarly() bool { return g.eng.RejectsEarly() }

func (g *gate) Early(ctx context.Context, c txn.Conn, user string) *txn.Reply {
	return g.eng.Early(ctx, c, user)
}

func (g *gate) EarlyRcpt(ctx context.Context, c txn.Conn, user, from, rcpt string) *txn.Outcome {
	return g.eng.EarlyRcpt(ctx, c, user, from, rcpt)
}

func (g *gate) Evaluate(ctx context.Context, t *txn.Transaction) (*txn.Outcome, error) {
	if t.Body != nil && t.Body.OnDisk() {
		g.onDisk.Add(1)
	}
	g.arrived <- struct{}{}
	<-g.release
	return g.eng.Evaluate(ctx, t)
}

// inFlight is how many 1 MiB messages one op keeps in flight at once.
const inFlight = 8

// BenchmarkMemoryInFlight measures the memory a 1 MiB message (DKIM-signed,
// headers included) costs while the milter holds it, with the body spooled
// in memory (threshold 1 MiB, the default) or to a file (64 KiB). One op
// sends inFlight messages on as many connections at once; each waits at
// end of message until all have arrived, then all are evaluated together.
// Metrics, per message:
//   - held-B/msg: live heap at end of message, all held (after a GC),
//     minus the live heap before the batch;
//   - peak-B/msg: highest heap (live and not yet collected, sampled every
//     50 µs) while the batch is evaluated, minus the same baseline;
//   - alloc-B/msg: bytes allocated over the whole batch (receive, spool,
//     evaluate, reply, and the in-process MTA client's buffers).
func BenchmarkMemoryInFlight(b *testing.B) {
	for _, tc := range []struct {
		name      string
		threshold int64
		onDisk    bool
	}{
		{name: "spool=1MiB", threshold: mib, onDisk: false},
		{name: "spool=256KiB(default)", threshold: 256 * kib, onDisk: true},
		{name: "spool=64KiB", threshold: 64 * kib, onDisk: true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			p := newPipeline(b, 0)
			g := &gate{eng: p.eng, arrived: make(chan struct{}, inFlight), release: make(chan struct{})}
			addr := startMilter(b, g, tc.threshold)
			msg := message(b, mib)
			mtas := make([]*mta, inFlight)
			for i := range mtas {
				mtas[i] = dialMTA(b, addr, msg)
			}
			mods, act, err := batch(b, g, mtas, nil)
			wantDKIMPassAccept(b, mods, act, err)
			g.onDisk.Store(0)
			var held, peak, alloc float64
			for b.Loop() {
				s := batchStats{}
				batch(b, g, mtas, &s)
				held += float64(s.held)
				peak += float64(s.peak)
				alloc += float64(s.alloc)
			}
			n := float64(b.N * inFlight)
			b.ReportMetric(held/n, "held-B/msg")
			b.ReportMetric(peak/n, "peak-B/msg")
			b.ReportMetric(alloc/n, "alloc-B/msg")
			if got := g.onDisk.Load(); (got == int64(b.N*inFlight)) != tc.onDisk || (got == 0) == tc.onDisk {
				b.Fatalf("%d of %d bodies on disk, want all on disk = %v", got, b.N*inFlight, tc.onDisk)
			}
		})
	}
}

// batchStats are one batch's memory figures in bytes, for all messages.
type batchStats struct {
	held, peak int64
	alloc      uint64
}

// batch sends one message on each mta at once, waits until all are at end
// of message, measures (when s is not nil) and releases them. It returns
// the first message's result.
func batch(b *testing.B, g *gate, mtas []*mta, s *batchStats) (mods []gomilter.ModifyAction, act *gomilter.Action, err error) {
	b.Helper()
	var base runtime.MemStats
	if s != nil {
		runtime.GC()
		runtime.ReadMemStats(&base)
	}
	type res struct {
		mods []gomilter.ModifyAction
		act  *gomilter.Action
		err  error
	}
	results := make([]res, len(mtas))
	var wg sync.WaitGroup
	for i, m := range mtas {
		wg.Go(func() {
			mods, act, err := m.send()
			results[i] = res{mods: mods, act: act, err: err}
		})
	}
	for range mtas {
		select {
		case <-g.arrived:
		case <-time.After(time.Minute):
			b.Fatal("messages did not reach end of message")
		}
	}
	var stop func() int64
	if s != nil {
		var atEOM runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&atEOM)
		s.held = int64(atEOM.HeapAlloc) - int64(base.HeapAlloc)
		stop = samplePeak()
	}
	for range mtas {
		g.release <- struct{}{}
	}
	wg.Wait()
	if s != nil {
		s.peak = stop() - int64(base.HeapAlloc)
		var end runtime.MemStats
		runtime.ReadMemStats(&end)
		s.alloc = end.TotalAlloc - base.TotalAlloc
	}
	for _, r := range results {
		if r.err != nil {
			b.Fatal(r.err)
		}
	}
	return results[0].mods, results[0].act, results[0].err
}

// samplePeak samples the heap (live and unswept objects) every 50 µs
// until the returned function is called, which returns the highest value.
func samplePeak() func() int64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	done := make(chan struct{})
	result := make(chan int64)
	go func() {
		var peak int64
		t := time.NewTicker(50 * time.Microsecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := int64(sample[0].Value.Uint64()); v > peak {
				peak = v
			}
			select {
			case <-done:
				result <- peak
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 {
		close(done)
		return <-result
	}
}
