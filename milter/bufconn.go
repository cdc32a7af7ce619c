package milter

import (
	"bufio"
	"net"
	"sync"
	"time"
)

// connReadBuffer is the read buffer of one milter connection: Postfix
// writes many small packets (a header field, a macro list, a command),
// which go-milter reads with two reads each (length, then payload);
// buffering turns those into about one read system call per burst. Body
// chunks, larger, bypass it. It is small because a connection often lasts
// one or two messages; it is not pooled because a Shutdown may close a
// connection while its reader is still in a Read.
const connReadBuffer = 4 << 10

// connWriteBuffer bounds the replies held before a flush. go-milter writes
// each reply packet with two write calls (length+code, then data), and the
// end of message sends one packet per header edit before the final
// action: held together they leave in one system call when go-milter
// next reads. Larger writes go out directly.
const connWriteBuffer = 16 << 10

// flushTimeout bounds one flush of held replies (go-milter's own write
// timeout, which a held write no longer gets).
const flushTimeout = 10 * time.Second

// bufferedConn is a net.Conn whose Read goes through a bufio.Reader and
// whose Write is held until the next Read or Close. The milter protocol
// is request/response: go-milter only reads once its answer is complete,
// so nothing waits on a held reply. Deadlines are the connection's own.
// release, when set, runs once, at the first Close.
type bufferedConn struct {
	net.Conn
	r       *bufio.Reader
	mu      sync.Mutex // w: Close may run on another goroutine (Shutdown)
	w       []byte
	release func()
	closed  sync.Once
}

func newBufferedConn(c net.Conn, release func()) *bufferedConn {
	return &bufferedConn{Conn: c, r: bufio.NewReaderSize(c, connReadBuffer), release: release}
}

// Read sends the held replies, then reads.
func (c *bufferedConn) Read(p []byte) (int, error) {
	if err := c.flush(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Write holds p, or sends the held bytes and p at once when they would
// not fit connWriteBuffer. An error is the connection's, possibly from an
// earlier held write.
func (c *bufferedConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.w)+len(p) <= connWriteBuffer {
		c.w = append(c.w, p...)
		return len(p), nil
	}
	if err := c.flushLocked(); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

// Close sends the held replies (the last answer before a close) and
// closes the connection.
func (c *bufferedConn) Close() error {
	c.flush()
	err := c.Conn.Close()
	if c.release != nil {
		c.closed.Do(c.release)
	}
	return err
}

func (c *bufferedConn) flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.flushLocked()
}

func (c *bufferedConn) flushLocked() error {
	if len(c.w) == 0 {
		return nil
	}
	c.Conn.SetWriteDeadline(time.Now().Add(flushTimeout))
	_, err := c.Conn.Write(c.w)
	c.Conn.SetWriteDeadline(time.Time{})
	c.w = c.w[:0]
	return err
}
