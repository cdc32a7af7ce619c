package loadgen

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	gomilter "github.com/d--j/go-milter"
)

// RunOptions control Run.
type RunOptions struct {
	// Network and Address of the milter: "tcp" and HOST:PORT, or "unix"
	// and a socket path (see sockaddr.Parse for Postfix's forms).
	Network, Address string
	Corpus           *Corpus
	// Connections is the number of concurrent milter connections, ≥ 1.
	Connections int
	// PerConn is the most messages one SMTP session (milter connection)
	// carries before it reconnects, ≥ 1; a session also ends where the
	// manifest's client changes.
	PerConn int
	// Duration stops starting messages after this long; Messages stops
	// after this many messages. At least one must be set (> 0).
	Duration time.Duration
	Messages int
	// Drain bounds how long messages in flight may take after the stop;
	// then their connections are closed and they count as abandoned.
	Drain time.Duration
	// Timeout bounds each milter dial, read and write.
	Timeout time.Duration
	// DaemonPID, when > 0, is the milter process to measure through /proc.
	DaemonPID int
	// SampleEvery is the memory sampling period (100 ms when 0).
	SampleEvery time.Duration
}

// check returns an error for options Run cannot use.
func (o *RunOptions) check() error {
	switch {
	case o.Corpus == nil || len(o.Corpus.Messages) == 0:
		return errors.New("loadgen: empty corpus")
	case o.Connections < 1 || o.PerConn < 1:
		return errors.New("loadgen: connections and messages per connection must be at least 1")
	case o.Duration <= 0 && o.Messages <= 0:
		return errors.New("loadgen: set a duration or a message count")
	case o.Address == "":
		return errors.New("loadgen: no milter address")
	}
	return nil
}

// runner is the state shared by the workers of one Run.
type runner struct {
	opts      RunOptions
	client    *gomilter.Client
	conns     *connTracker
	next      atomic.Int64 // next message number to claim
	abandoned atomic.Bool  // the drain time ran out: errors now are abandoned messages
}

// Run plays the corpus to the milter until the duration passes, the
// message count is reached or ctx ends, whichever comes first; messages in
// flight then finish within opts.Drain. It returns the measurements, or
// an error for bad options or an unreadable daemon process.
func Run(ctx context.Context, opts RunOptions) (*Result, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	r := &runner{opts: opts, conns: newConnTracker(opts.Timeout)}
	r.client = gomilter.NewClient(opts.Network, opts.Address, gomilter.WithDialer(r.conns),
		gomilter.WithReadTimeout(opts.Timeout), gomilter.WithWriteTimeout(opts.Timeout))
	var daemon *procSampler
	if opts.DaemonPID > 0 {
		var err error
		if daemon, err = startSampler(procRoot, opts.DaemonPID, opts.SampleEvery); err != nil {
			return nil, err
		}
	}
	stopCtx, cancel := context.WithCancel(ctx)
	if opts.Duration > 0 {
		stopCtx, cancel = context.WithTimeout(ctx, opts.Duration)
	}
	defer cancel()
	self := selfCPU()
	start := time.Now()
	tallies := make([]*tally, opts.Connections)
	var wg sync.WaitGroup
	for i := range tallies {
		tallies[i] = newTally()
		wg.Go(func() { r.worker(stopCtx, i, tallies[i]) })
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	r.drain(stopCtx, done)
	elapsed := time.Since(start)
	res := summarize(tallies, elapsed)
	res.Target = opts.Network + ":" + opts.Address
	res.Connections, res.PerConn = opts.Connections, opts.PerConn
	res.LoadgenCPUSeconds = (selfCPU() - self).Seconds()
	if daemon != nil {
		res.Daemon = daemon.stop(res.Messages)
	}
	return res, nil
}

// drain waits for the workers; once stop ends, it gives them opts.Drain,
// then closes every milter connection so that blocked reads return.
func (r *runner) drain(stop context.Context, done <-chan struct{}) {
	select {
	case <-done:
		return
	case <-stop.Done():
	}
	t := time.NewTimer(r.opts.Drain)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		r.abandoned.Store(true)
		r.conns.closeAll()
		<-done
	}
}

// claim reserves up to PerConn consecutive corpus positions; ok is false
// when the message limit is reached.
func (r *runner) claim() (first, n int64, ok bool) {
	per := int64(r.opts.PerConn)
	first = r.next.Add(per) - per
	n = per
	if limit := int64(r.opts.Messages); limit > 0 {
		n = min(per, limit-first)
	}
	return first, n, n > 0
}

// worker plays blocks of consecutive corpus messages until stop.
func (r *runner) worker(stop context.Context, id int, t *tally) {
	port := uint16(40000 + id*100)
	for stop.Err() == nil {
		first, n, ok := r.claim()
		if !ok {
			return
		}
		var s *session
		for seq := first; seq < first+n && stop.Err() == nil; seq++ {
			m := r.opts.Corpus.Messages[seq%int64(len(r.opts.Corpus.Messages))]
			if s != nil && s.conn != m.Conn {
				s.close()
				s = nil
			}
			if s == nil {
				port++
				var o *outcome
				if s, o = openSession(r.client, m.Conn, port); s == nil {
					r.record(t, *o)
					continue
				}
				t.sessions++
			}
			o := s.play(m, fmt.Sprintf("4%09X", seq))
			r.record(t, o)
			if o.err != nil {
				s = nil // the client closed the connection
			}
		}
		if s != nil {
			s.close()
		}
	}
}

// record adds one message's outcome to t.
func (r *runner) record(t *tally, o outcome) {
	if o.err != nil && r.abandoned.Load() {
		t.abandoned++
		return
	}
	t.add(o)
}

// connTracker is the milter client's dialer: it remembers open
// connections so that the drain can close them.
type connTracker struct {
	dialer net.Dialer
	mu     sync.Mutex
	open   map[net.Conn]struct{}
}

func newConnTracker(timeout time.Duration) *connTracker {
	return &connTracker{dialer: net.Dialer{Timeout: timeout}, open: map[net.Conn]struct{}{}}
}

// Dial implements gomilter.Dialer.
func (c *connTracker) Dial(network, addr string) (net.Conn, error) {
	conn, err := c.dialer.Dial(network, addr)
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: conn, owner: c}
	c.mu.Lock()
	c.open[tc] = struct{}{}
	c.mu.Unlock()
	return tc, nil
}

// closeAll closes every open connection.
func (c *connTracker) closeAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for conn := range c.open {
		_ = conn.(*trackedConn).Conn.Close()
	}
}

// trackedConn leaves its tracker when closed.
type trackedConn struct {
	net.Conn
	owner *connTracker
}

// Close implements net.Conn.
func (t *trackedConn) Close() error {
	t.owner.mu.Lock()
	delete(t.owner.open, t)
	t.owner.mu.Unlock()
	return t.Conn.Close()
}
