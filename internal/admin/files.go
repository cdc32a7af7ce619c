package admin

import (
	"crypto/tls"
	"fmt"
	"io"

	"milter91/internal/regfile"
)

// maxPEMFile bounds a certificate or key file (our choice: a chain of a
// few certificates is some KiB).
const maxPEMFile = 1 << 20

// readRegular returns the content of the regular file at path (see
// regfile.Open); a file over max bytes is an error.
func readRegular(path string, max int64) ([]byte, error) {
	f, _, err := regfile.Open(path)
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
