package milter

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

// tcpPair returns a bufferedConn (server side) and the raw peer.
func tcpPair(t *testing.T) (*bufferedConn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peer, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	c := newBufferedConn(raw, nil)
	t.Cleanup(func() { peer.Close(); c.Close() })
	return c, peer
}

// readAvailable reads what arrives at peer within d.
func readAvailable(t *testing.T, peer net.Conn, d time.Duration) []byte {
	t.Helper()
	peer.SetReadDeadline(time.Now().Add(d))
	var out bytes.Buffer
	buf := make([]byte, 64<<10)
	for {
		n, err := peer.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			return out.Bytes()
		}
	}
}

// Replies are held until the milter reads again, then leave together and
// in order; a Close sends what is held.
func TestBufferedConnHoldsRepliesUntilRead(t *testing.T) {
	c, peer := tcpPair(t)
	c.Write([]byte("ab"))
	c.Write([]byte("cd"))
	if got := readAvailable(t, peer, 50*time.Millisecond); len(got) != 0 {
		t.Fatalf("peer got %q before the milter read", got)
	}
	abort := []byte("\x00\x00\x00\x01A") // one SMFIC_ABORT packet
	peer.Write(abort)
	got := make([]byte, len(abort))
	if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, abort) {
		t.Fatalf("read %q, %v", got, err)
	}
	if got := readAvailable(t, peer, 200*time.Millisecond); string(got) != "abcd" {
		t.Fatalf("after the read the peer got %q, want abcd", got)
	}
	c.Write([]byte("last"))
	c.Close()
	if got := readAvailable(t, peer, time.Second); string(got) != "last" {
		t.Fatalf("after Close the peer got %q, want last", got)
	}
}

// A write larger than the buffer goes out at once, after what was held.
func TestBufferedConnLargeWrite(t *testing.T) {
	c, peer := tcpPair(t)
	big := bytes.Repeat([]byte("z"), connWriteBuffer+1)
	c.Write([]byte("held"))
	if n, err := c.Write(big); err != nil || n != len(big) {
		t.Fatalf("Write = %d, %v", n, err)
	}
	got := readAvailable(t, peer, 500*time.Millisecond)
	if want := append([]byte("held"), big...); !bytes.Equal(got, want) {
		t.Fatalf("peer got %d bytes, want %d in order", len(got), len(want))
	}
}
