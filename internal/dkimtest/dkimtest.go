// Package dkimtest holds the DKIM test key shared by the tests and
// benchmarks of several packages: generating an RSA-2048 key takes long
// enough to matter when every test does it.
package dkimtest

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
)

var (
	once   sync.Once
	rsaKey *rsa.PrivateKey
	keyErr error
)

// RSAKey returns one RSA-2048 key per test process.
func RSAKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	once.Do(func() { rsaKey, keyErr = rsa.GenerateKey(rand.Reader, 2048) })
	if keyErr != nil {
		t.Fatal(keyErr)
	}
	return rsaKey
}

// RSARecord returns the DKIM key record (RFC 6376 §3.6.1) of key.
func RSARecord(t testing.TB, key *rsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
}

// Sign prepends a relaxed/relaxed DKIM-Signature by domain and selector
// over From, To, Subject, Date and Message-ID to msg (CRLF line ends).
func Sign(t testing.TB, key crypto.Signer, domain, selector, msg string) string {
	t.Helper()
	var out bytes.Buffer
	err := dkim.Sign(&out, strings.NewReader(msg), &dkim.SignOptions{
		Domain: domain, Selector: selector, Signer: key,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed,
		BodyCanonicalization:   dkim.CanonicalizationRelaxed,
		HeaderKeys:             []string{"From", "To", "Subject", "Date", "Message-ID"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.String()
}
