package milter

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	gomilter "github.com/d--j/go-milter"
)

// Packets go-milter v0.10.1 panicked on (ending the daemon), and packets
// over the size limits, end their connection (the MTA applies its default
// action); the server keeps serving others.
func TestMalformedPacketsEndOnlyTheirConnection(t *testing.T) {
	addr, _, _ := startServer(t, Options{}, &fakeEval{})
	for _, tc := range []struct{ name, pkt string }{
		{"empty packet", "\x00\x00\x00\x00"},
		{"connect without NUL", "\x00\x00\x00\x02Cx"},
		{"connect without family", "\x00\x00\x00\x03Cx\x00"},
		{"MAIL without NUL", "\x00\x00\x00\x02Mx"},
		{"RCPT without NUL", "\x00\x00\x00\x02Rx"},
		{"packet over the maximum size", "\x00\x40\x00\x01L"},
		{"body chunk over the negotiated 64 KiB", "\x00\x01\x00\x01B" + strings.Repeat("b", 65536)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := negotiated(t, addr)
			if _, err := c.Write([]byte(tc.pkt)); err != nil {
				t.Fatal(err)
			}
			waitClosed(t, c)
		})
	}
	m := dialMTA(t, addr)
	m.connect("127.0.0.2", "helo.example.test")
	if _, act := m.send(simple("Q1")); act.Type != gomilter.ActionAccept {
		t.Errorf("after the malformed packets: %v, want accept", act)
	}
}

// negotiated dials addr and completes SMFIC_OPTNEG (version 6, all
// actions, no protocol options) on the raw connection.
func negotiated(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	optneg := []byte{0, 0, 0, 13, 'O', 0, 0, 0, 6, 0, 0, 1, 0xff, 0, 0, 0, 0}
	if _, err := c.Write(optneg); err != nil {
		t.Fatal(err)
	}
	var hdr [5]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil || hdr[4] != 'O' {
		t.Fatalf("negotiation: %v %q", err, hdr)
	}
	if _, err := io.CopyN(io.Discard, c, int64(binary.BigEndian.Uint32(hdr[:4])-1)); err != nil {
		t.Fatalf("negotiation: %v", err)
	}
	return c
}

// waitClosed fails the test unless the server closes c (an end of file,
// or a reset when it left bytes unread) within a generous deadline, a last
// guard; it returns as soon as it did.
func waitClosed(t *testing.T, c net.Conn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := io.Copy(io.Discard, c); err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("connection not closed by the server (%d bytes read): %v", n, err)
	}
}
