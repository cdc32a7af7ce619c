package milter

import (
	"bytes"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/d--j/go-milter/internal/wire"
)

// scriptConn is a net.Conn that reads a fixed byte stream in reads of at
// most chunk bytes and records every Write and read deadline.
type scriptConn struct {
	net.Conn
	in        *bytes.Reader
	chunk     int
	writes    [][]byte
	deadlines []time.Time
	closed    bool
}

func (c *scriptConn) Read(p []byte) (int, error) {
	if c.chunk > 0 && len(p) > c.chunk {
		p = p[:c.chunk]
	}
	return c.in.Read(p)
}

func (c *scriptConn) Write(p []byte) (int, error) {
	c.writes = append(c.writes, append([]byte(nil), p...))
	return len(p), nil
}

func (c *scriptConn) SetReadDeadline(t time.Time) error {
	c.deadlines = append(c.deadlines, t)
	return nil
}

func (c *scriptConn) SetWriteDeadline(time.Time) error { return nil }
func (c *scriptConn) Close() error                     { c.closed = true; return nil }

func packets(t testing.TB, msgs ...*wire.Message) []byte {
	t.Helper()
	var b []byte
	for _, m := range msgs {
		var err error
		if b, err = wire.AppendPacket(b, m); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func newIOSession(conn net.Conn, opts ...Option) *serverSession {
	s := &serverSession{}
	s.init(NewServer(append(opts, WithMilter(func() Milter { return NoOpMilter{} }))...), conn, 6, 0, 0)
	return s
}

func headerPacket() *wire.Message {
	return &wire.Message{Code: wire.CodeHeader, Data: []byte("Subject\x00 hello\x00")}
}

// TestServerSession_readPacket_noAllocation: reading packets that arrived
// together allocates nothing once the packet buffer pool is warm.
func TestServerSession_readPacket_noAllocation(t *testing.T) {
	const n = 2000
	msgs := make([]*wire.Message, n)
	for i := range msgs {
		msgs[i] = headerPacket()
	}
	conn := &scriptConn{in: bytes.NewReader(packets(t, msgs...))}
	s := newIOSession(conn)
	if _, err := s.readPacket(0); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(n/2, func() {
		msg, err := s.readPacket(0)
		if err != nil || msg.Code != wire.CodeHeader || string(msg.Data) != "Subject\x00 hello\x00" {
			t.Fatalf("readPacket = %+v, %v", msg, err)
		}
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per packet, want 0", allocs)
	}
}

// TestServerSession_readPacket_split: a packet that arrives in pieces
// across reads is read whole, and a body chunk up to the negotiated
// 64 KiB and a packet larger than the pooled buffer both come through.
func TestServerSession_readPacket_split(t *testing.T) {
	chunk := bytes.Repeat([]byte("b"), int(DataSize64K))
	large := bytes.Repeat([]byte("m"), 200000)
	msgs := []*wire.Message{headerPacket(), {Code: wire.CodeBody, Data: chunk},
		{Code: wire.CodeMacro, Data: large}, headerPacket()}
	conn := &scriptConn{in: bytes.NewReader(packets(t, msgs...)), chunk: 3}
	s := newIOSession(conn, WithMaxPacketSize(1<<20))
	for i, want := range msgs {
		got, err := s.readPacket(time.Minute)
		if err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
		if got.Code != want.Code || !bytes.Equal(got.Data, want.Data) {
			t.Fatalf("packet %d: code %c, %d bytes; want %c, %d bytes", i, got.Code, len(got.Data), want.Code, len(want.Data))
		}
	}
}

// TestServerSession_replies: replies are held while the next packet is
// already buffered, then sent in one write before the session waits for
// the MTA; a progress packet goes out at once; closing sends the rest.
func TestServerSession_replies(t *testing.T) {
	conn := &scriptConn{in: bytes.NewReader(packets(t, headerPacket(), headerPacket()))}
	s := newIOSession(conn)
	if _, err := s.readPacket(time.Minute); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := s.writePacket(RespContinue.Response()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.readPacket(time.Minute); err != nil { // buffered: no flush
		t.Fatal(err)
	}
	if len(conn.writes) != 0 {
		t.Fatalf("%d writes while the next packet was buffered, want 0", len(conn.writes))
	}
	if _, err := s.readPacket(time.Minute); err == nil { // the stream ends: flush, then EOF
		t.Fatal("read past the end of the stream")
	}
	want := packets(t, RespContinue.Response(), RespContinue.Response(), RespContinue.Response())
	if len(conn.writes) != 1 || !bytes.Equal(conn.writes[0], want) {
		t.Fatalf("writes %q, want one write %q", conn.writes, want)
	}
	if err := s.writePacket(respProgress.Response()); err != nil {
		t.Fatal(err)
	}
	if len(conn.writes) != 2 {
		t.Fatalf("progress held back: %d writes", len(conn.writes))
	}
	if err := s.writePacket(RespAccept.Response()); err != nil {
		t.Fatal(err)
	}
	s.closeConn()
	if len(conn.writes) != 3 || !bytes.Equal(conn.writes[2], packets(t, RespAccept.Response())) || !conn.closed {
		t.Fatalf("close: writes %q, closed %v", conn.writes, conn.closed)
	}
	if err := s.writePacket(RespAccept.Response()); err != errCloseSession {
		t.Errorf("writePacket after close = %v, want errCloseSession", err)
	}
}

// TestServerSession_readDeadline: a read that may block gets the timeout;
// one from the buffer sets none; a read without timeout clears an earlier
// deadline.
func TestServerSession_readDeadline(t *testing.T) {
	conn := &scriptConn{in: bytes.NewReader(packets(t, headerPacket(), headerPacket(), headerPacket()))}
	s := newIOSession(conn)
	if _, err := s.readPacket(time.Minute); err != nil {
		t.Fatal(err)
	}
	if len(conn.deadlines) != 1 || conn.deadlines[0].IsZero() {
		t.Fatalf("deadlines %v, want one", conn.deadlines)
	}
	if _, err := s.readPacket(time.Minute); err != nil {
		t.Fatal(err)
	}
	if len(conn.deadlines) != 1 {
		t.Fatalf("deadline set for a buffered packet: %v", conn.deadlines)
	}
	// Empty the buffer: the next read needs the connection.
	s.r.Discard(s.r.Buffered())
	conn.in = bytes.NewReader(packets(t, headerPacket()))
	if _, err := s.readPacket(0); err != nil {
		t.Fatal(err)
	}
	if len(conn.deadlines) != 2 || !conn.deadlines[1].IsZero() {
		t.Fatalf("deadlines %v, want the first one cleared", conn.deadlines)
	}
}

func BenchmarkServerSession_readPacket(b *testing.B) {
	msgs := make([]*wire.Message, 1000)
	for i := range msgs {
		msgs[i] = headerPacket()
	}
	stream := packets(b, msgs...)
	b.ReportAllocs()
	for i := 0; i < b.N; i += len(msgs) {
		s := newIOSession(&scriptConn{in: bytes.NewReader(stream)})
		for range msgs {
			if _, err := s.readPacket(time.Minute); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// blockConn is a net.Conn whose Read waits until release is closed, then
// reports io.EOF: an MTA that sends nothing more.
type blockConn struct {
	scriptConn
	once    sync.Once
	reading chan struct{}
	release chan struct{}
}

func (c *blockConn) Read([]byte) (int, error) {
	c.once.Do(func() { close(c.reading) })
	<-c.release
	return 0, io.EOF
}

// TestServerSession_readPacket_idleHoldsNoBuffer: a session waiting for
// the MTA's next packet holds no packet buffer (1,000 idle sessions held
// 64 KiB each), and a small packet is read into a small buffer.
func TestServerSession_readPacket_idleHoldsNoBuffer(t *testing.T) {
	conn := &blockConn{reading: make(chan struct{}), release: make(chan struct{})}
	s := newIOSession(conn)
	done := make(chan error)
	go func() {
		_, err := s.readPacket(0)
		done <- err
	}()
	<-conn.reading
	if s.buf != nil {
		t.Errorf("a session waiting for a packet holds a %d-byte buffer", cap(*s.buf))
	}
	close(conn.release)
	if err := <-done; err != io.EOF {
		t.Errorf("readPacket = %v, want io.EOF", err)
	}

	small := newIOSession(&scriptConn{in: bytes.NewReader(packets(t, headerPacket()))})
	if _, err := small.readPacket(0); err != nil {
		t.Fatal(err)
	}
	if small.buf == nil || cap(*small.buf) != smallPacketBufSize {
		t.Errorf("a header packet was read into %v, want a %d-byte buffer", small.buf, smallPacketBufSize)
	}
}
