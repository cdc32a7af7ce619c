package milter

import (
	"net"
	"sync"
)

// capConn is a connection within the listener's cap: its first Close
// gives its share back (release). Reads and writes are the connection's
// own; go-milter buffers them (one buffered reader per session, replies
// held until it next waits for the MTA).
type capConn struct {
	net.Conn
	release func()
	closed  sync.Once
}

// Close closes the connection and, the first time, releases its share of
// the cap. go-milter may close a session from Shutdown while its own
// goroutine closes it too.
func (c *capConn) Close() error {
	err := c.Conn.Close()
	c.closed.Do(c.release)
	return err
}
