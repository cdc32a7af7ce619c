package dkimsign

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"strings"
)

// GenerateKey makes a new signing key: alg AlgRSA (RSA-2048) or
// AlgEd25519. It returns the key and its PKCS#8 PEM encoding, which
// ReadKey reads back.
func GenerateKey(alg string) (crypto.Signer, []byte, error) {
	var k crypto.Signer
	var err error
	switch alg {
	case AlgRSA:
		k, err = rsa.GenerateKey(rand.Reader, MinRSABits)
	case AlgEd25519:
		_, k, err = ed25519.GenerateKey(rand.Reader)
	default:
		return nil, nil, fmt.Errorf("dkimsign: unknown algorithm %q (rsa or ed25519)", alg)
	}
	if err != nil {
		return nil, nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, nil, err
	}
	return k, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// KeyRecord returns the DKIM key record of pub (RFC 6376 §3.6.1):
// "v=DKIM1; k=rsa; p=<SubjectPublicKeyInfo, base64>" for RSA,
// "v=DKIM1; k=ed25519; p=<the 32-byte key, base64>" for Ed25519
// (RFC 8463 §4.2).
func KeyRecord(pub crypto.PublicKey) (string, error) {
	switch p := pub.(type) {
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(p)
		if err != nil {
			return "", err
		}
		return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der), nil
	case ed25519.PublicKey:
		return "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(p), nil
	}
	return "", fmt.Errorf("dkimsign: unsupported public key %T", pub)
}

// ZoneLine returns the zone-file line that publishes record for selector
// and domain:
//
//	s2026r._domainkey.example.test. IN TXT "v=DKIM1; k=rsa; p=MIIB..." "..."
//
// split into character-strings of at most 255 bytes (RFC 1035 §3.3.14;
// the strings of one record are concatenated, RFC 6376 §3.6.2.2).
func ZoneLine(selector, domain, record string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(selector) + "._domainkey." + strings.ToLower(strings.TrimSuffix(domain, ".")) + ". IN TXT")
	for len(record) > 0 {
		n := min(len(record), 255)
		b.WriteString(" \"" + record[:n] + "\"")
		record = record[n:]
	}
	return b.String()
}
