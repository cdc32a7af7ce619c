package milter

import (
	"net"
	"testing"
)

// TestCapConnReleasesOnce: however often a connection is closed (by its
// session and by Shutdown), it gives back one share of the cap.
func TestCapConnReleasesOnce(t *testing.T) {
	a, b := net.Pipe()
	defer b.Close()
	released := 0
	c := &capConn{Conn: a, release: func() { released++ }}
	c.Close()
	c.Close()
	if released != 1 {
		t.Fatalf("released %d times, want 1", released)
	}
	if _, err := a.Write([]byte("x")); err == nil {
		t.Fatal("connection still open after Close")
	}
}
