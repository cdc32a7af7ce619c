package milter

import (
	"encoding/binary"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	gomilter "github.com/d--j/go-milter"
)

// Packets go-milter v0.10.1 panicked on (ending the daemon), and packets
// over the size limits, end their connection (the MTA applies its default
// action); the server keeps serving others.
func TestMalformedPacketsEndOnlyTheirConnection(t *testing.T) {
	addr, _, _ := startServer(t, Options{}, &fakeEval{})
	negotiated := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		// SMFIC_OPTNEG: version 6, all actions, no protocol options.
		optneg := []byte{0, 0, 0, 13, 'O', 0, 0, 0, 6, 0, 0, 1, 0xff, 0, 0, 0, 0}
		if _, err := c.Write(optneg); err != nil {
			t.Fatal(err)
		}
		var hdr [5]byte
		if _, err := io.ReadFull(c, hdr[:]); err != nil || hdr[4] != 'O' {
			t.Fatalf("negotiation: %v %q", err, hdr)
		}
		io.CopyN(io.Discard, c, int64(binary.BigEndian.Uint32(hdr[:4])-1))
		return c
	}
	for _, tc := range []struct{ name, pkt string }{
		{"empty packet", "\x00\x00\x00\x00"},
		{"connect without NUL", "\x00\x00\x00\x02Cx"},
		{"connect without family", "\x00\x00\x00\x03Cx\x00"},
		{"MAIL without NUL", "\x00\x00\x00\x02Mx"},
		{"RCPT without NUL", "\x00\x00\x00\x02Rx"},
		{"packet over the maximum size", "\x00\x40\x00\x01L"},
		{"body chunk over the negotiated 64 KiB", "\x00\x01\x00\x01B" + strings.Repeat("b", 65536)},
	} {
		c := negotiated()
		c.Write([]byte(tc.pkt))
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if n, err := c.Read(make([]byte, 16)); err == nil {
			t.Errorf("%s: got %d bytes, want the connection closed", tc.name, n)
		}
	}
	m := dialMTA(t, addr)
	m.connect("127.0.0.2", "helo.example.test")
	if _, act := m.send(simple("Q1")); act.Type != gomilter.ActionAccept {
		t.Errorf("after the malformed packets: %v, want accept", act)
	}
}
