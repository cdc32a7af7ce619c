package admin

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fifo makes a named pipe with mode 0600 that nothing writes to: opening
// it the ordinary way blocks until a writer comes.
func fifo(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// returnsSoon runs f and fails the test if it has not returned after a
// generous guard (a hang is the bug).
func returnsSoon(t *testing.T, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("still blocked after 30 s: a FIFO is being waited on")
		return nil
	}
}

func TestLoadTokenFIFO(t *testing.T) {
	path := fifo(t)
	err := returnsSoon(t, func() error { _, err := LoadToken(path); return err })
	if err == nil || !strings.Contains(err.Error(), path+" is not a regular file (a FIFO)") {
		t.Errorf("LoadToken(FIFO) = %v, want a not-a-regular-file error naming it", err)
	}
}

func TestLoadKeyPairNotRegular(t *testing.T) {
	certFile, keyFile, _ := selfSigned(t)
	link := filepath.Join(t.TempDir(), "link.pem")
	pipe := fifo(t)
	if err := os.Symlink(pipe, link); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(t.TempDir(), "big.pem")
	if err := os.WriteFile(big, make([]byte, maxPEMFile+1), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, cert, key, errHas string }{
		{name: "cert a FIFO", cert: pipe, key: keyFile, errHas: "(a FIFO)"},
		{name: "key a FIFO", cert: certFile, key: pipe, errHas: "(a FIFO)"},
		{name: "key a link to a FIFO", cert: certFile, key: link, errHas: "(a FIFO)"},
		{name: "cert a device", cert: os.DevNull, key: keyFile, errHas: "(a device)"},
		{name: "cert a directory", cert: t.TempDir(), key: keyFile, errHas: "(a directory)"},
		{name: "cert too big", cert: big, key: keyFile, errHas: "over 1048576 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := returnsSoon(t, func() error { _, err := LoadKeyPair(tc.cert, tc.key); return err })
			if err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Errorf("LoadKeyPair = %v, want an error containing %q", err, tc.errHas)
			}
		})
	}
	if _, err := LoadKeyPair(certFile, keyFile); err != nil {
		t.Errorf("LoadKeyPair of regular files: %v", err)
	}
}

func TestServeTLSFIFO(t *testing.T) {
	_, keyFile, _ := selfSigned(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	pipe := fifo(t)
	err = returnsSoon(t, func() error { return Serve(context.Background(), ln, newHandler(t, Options{}), pipe, keyFile) })
	if err == nil || !strings.Contains(err.Error(), "admin: TLS: "+pipe+" is not a regular file") {
		t.Errorf("Serve with a FIFO certificate = %v, want the TLS error", err)
	}
}
