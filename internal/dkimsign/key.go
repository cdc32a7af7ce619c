package dkimsign

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
)

// Key sizes RSA signing keys must have, in bits: RFC 8301 §3.2 asks
// signers for at least 1024 and verifiers to accept up to 4096; 2048 is
// the floor that current guidance (and receivers like Gmail) expect.
const (
	MinRSABits = 2048
	MaxRSABits = 4096
)

// maxKeyFile bounds a key file (an RSA-4096 PKCS#8 PEM is about 3.3 KB).
const maxKeyFile = 64 << 10

// Algorithm names of the a= tag's key part (RFC 6376 §3.5, RFC 8463 §3).
const (
	AlgRSA     = "rsa"
	AlgEd25519 = "ed25519"
)

// ReadKey reads the private key file at path: PEM, PKCS#1 RSA ("RSA
// PRIVATE KEY") or PKCS#8 RSA or Ed25519 ("PRIVATE KEY"); the first such
// block is used. It returns the signer and its algorithm (AlgRSA or
// AlgEd25519). Errors: the file is readable or writable by group or
// others (mode beyond 0600; the message gives the mode and the
// chmod that fixes it), over 64 KiB, has no key block, is encrypted, or
// holds an RSA key outside MinRSABits..MaxRSABits or another key type.
func ReadKey(path string) (crypto.Signer, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, "", err
	}
	if m := fi.Mode().Perm(); m&0o077 != 0 {
		return nil, "", fmt.Errorf("key file %s has mode %04o: a private key must not be readable or writable by group or others (chmod 600 %s)", path, m, path)
	}
	if !fi.Mode().IsRegular() {
		return nil, "", fmt.Errorf("key file %s is not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, "", err
	}
	if len(data) > maxKeyFile {
		return nil, "", fmt.Errorf("key file %s is over %d bytes", path, maxKeyFile)
	}
	s, alg, err := ParseKey(data)
	if err != nil {
		return nil, "", fmt.Errorf("key file %s: %w", path, err)
	}
	return s, alg, nil
}

// ParseKey parses a PEM private key as ReadKey does, without the file
// checks.
func ParseKey(data []byte) (crypto.Signer, string, error) {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return nil, "", errors.New("no PEM \"PRIVATE KEY\" or \"RSA PRIVATE KEY\" block")
		}
		switch b.Type {
		case "RSA PRIVATE KEY":
			if _, enc := b.Headers["Proc-Type"]; enc {
				return nil, "", errors.New("the key is encrypted: milter91 needs it unencrypted (and the file mode 0600)")
			}
			k, err := x509.ParsePKCS1PrivateKey(b.Bytes)
			if err != nil {
				return nil, "", fmt.Errorf("PKCS#1 key: %w", err)
			}
			return checkKey(k)
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
			if err != nil {
				return nil, "", fmt.Errorf("PKCS#8 key: %w", err)
			}
			return checkKey(k)
		case "ENCRYPTED PRIVATE KEY":
			return nil, "", errors.New("the key is encrypted: milter91 needs it unencrypted (and the file mode 0600)")
		}
	}
}

func checkKey(k any) (crypto.Signer, string, error) {
	switch k := k.(type) {
	case *rsa.PrivateKey:
		if n := k.N.BitLen(); n < MinRSABits || n > MaxRSABits {
			return nil, "", fmt.Errorf("RSA key of %d bits: signing keys must have %d to %d bits (RFC 8301 §3.2)", n, MinRSABits, MaxRSABits)
		}
		return k, AlgRSA, nil
	case ed25519.PrivateKey:
		return k, AlgEd25519, nil
	}
	return nil, "", fmt.Errorf("unsupported key type %T: DKIM signs with RSA or Ed25519 (RFC 8463)", k)
}
