package admin

import (
	"crypto/tls"
	"fmt"
	"io"
	"os"
	"syscall"
)

// maxPEMFile bounds a certificate or key file (our choice: a chain of a
// few certificates is some KiB).
const maxPEMFile = 1 << 20

// openRegular opens path for reading without blocking and refuses
// anything but a regular file (a FIFO, a device, a socket, a directory):
// opening a FIFO would otherwise wait for a writer and hang the start.
// The check is on the opened file, so a symbolic link cannot swap it.
func openRegular(path string) (*os.File, os.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file (%s)", path, fileKind(fi.Mode()))
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// fileKind names the type of a file that is not regular.
func fileKind(m os.FileMode) string {
	switch {
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a directory"
	}
	return "mode " + m.String()
}

// readRegular returns the content of the regular file at path (see
// openRegular); a file over max bytes is an error.
func readRegular(path string, max int64) ([]byte, error) {
	f, _, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err == nil && int64(len(data)) > max {
		err = fmt.Errorf("%s is over %d bytes", path, max)
	}
	return data, err
}

// LoadKeyPair reads a PEM certificate chain and its private key, as
// tls.LoadX509KeyPair does, but only from regular files of at most 1 MiB
// each (a FIFO is refused at once, not waited on). Errors name the file.
func LoadKeyPair(certFile, keyFile string) (tls.Certificate, error) {
	cert, err := readRegular(certFile, maxPEMFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	key, err := readRegular(keyFile, maxPEMFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(cert, key)
}
