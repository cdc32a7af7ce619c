package milter

import (
	"bufio"
	"net"
)

// connReadBuffer is the read buffer of one milter connection: Postfix
// writes many small packets (a header field, a macro list, a command),
// which go-milter reads with two reads each (length, then payload);
// buffering turns those into about one read system call per burst. Body
// chunks, larger, bypass it. It is small because a connection often lasts
// one or two messages; it is not pooled because a Shutdown may close a
// connection while its reader is still in a Read.
const connReadBuffer = 4 << 10

// bufferedListener hands out connections whose reads are buffered.
type bufferedListener struct{ net.Listener }

func (l bufferedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &bufferedConn{Conn: c, r: bufio.NewReaderSize(c, connReadBuffer)}, nil
}

// bufferedConn is a net.Conn whose Read goes through a bufio.Reader;
// writes, deadlines and Close are the connection's own.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
