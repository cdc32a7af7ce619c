package dkim

import (
	"crypto"
	"fmt"
	"io"
)

// CanonicalizeHeader returns the header field kv ("Name: value\r\n", as
// read from the message) canonicalized by c (RFC 6376 §3.4.1, §3.4.2),
// for protocols that hash header fields as DKIM does, such as ARC
// (RFC 8617 §5.1).
func CanonicalizeHeader(c Canonicalization, kv string) (string, error) {
	can, ok := canonicalizers[c]
	if !ok {
		return "", fmt.Errorf("dkim: unknown canonicalization %q", c)
	}
	return can.CanonicalizeHeader(kv), nil
}

// NewBodyCanonicalizer returns a writer that canonicalizes a message body
// by c (RFC 6376 §3.4.3, §3.4.4) into w; Close must be called after the
// last write to flush what is held back.
func NewBodyCanonicalizer(c Canonicalization, w io.Writer) (io.WriteCloser, error) {
	can, ok := canonicalizers[c]
	if !ok {
		return nil, fmt.Errorf("dkim: unknown canonicalization %q", c)
	}
	return can.CanonicalizeBody(w), nil
}

// PublicKey is a key record looked up for a selector and domain.
type PublicKey struct {
	// Algorithm is "rsa" or "ed25519" (the record's k= tag).
	Algorithm string
	// Key is an *rsa.PublicKey (at least 1024 bits, RFC 8301) or an
	// ed25519.PublicKey.
	Key crypto.PublicKey
	// HashAlgos are the record's h= tag, empty when any is allowed.
	HashAlgos []string

	v verifier
}

// Verify checks sig over hashed (made with hash; 0 for Ed25519).
func (k *PublicKey) Verify(hash crypto.Hash, hashed, sig []byte) error {
	return k.v.Verify(hash, hashed, sig)
}

// QueryPublicKey looks up the key record at selector._domainkey.domain
// with lookupTXT (net.LookupTXT when nil) and parses it (RFC 6376
// §3.6.2). Errors satisfy IsTempFail (the lookup failed temporarily) or
// IsPermFail (no record, several, a syntax error, a revoked or too short
// key).
func QueryPublicKey(domain, selector string, lookupTXT func(string) ([]string, error)) (*PublicKey, error) {
	res, err := queryDNSTXT(domain, selector, lookupTXT)
	if err != nil {
		return nil, err
	}
	return &PublicKey{Algorithm: res.KeyAlgo, Key: res.Verifier.Public(), HashAlgos: res.HashAlgos, v: res.Verifier}, nil
}
