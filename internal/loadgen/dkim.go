package loadgen

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	_ "embed"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-msgauth/dkim"
)

// dkimSelector is the selector of the corpus key (RFC 6376 §3.1).
const dkimSelector = "lg1"

// dkimSignedHeaders are the fields each signature covers, in h= order.
var dkimSignedHeaders = []string{"From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"}

// corpusKeyPEM is a fixed RSA-2048 key in PKCS #8 PEM. It is a PUBLIC
// test key, committed on purpose: it signs generated test mail of the
// corpus's reserved domains only and protects nothing. A fixed key keeps
// zones.json's DKIM record the same for every seed and run.
//
//go:embed corpuskey.pem
var corpusKeyPEM []byte

// corpusKey parses corpusKeyPEM; it returns an error if the file is not
// a PEM-encoded PKCS #8 or PKCS #1 RSA private key.
func corpusKey() (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(corpusKeyPEM)
	if block == nil {
		return nil, errors.New("loadgen: corpuskey.pem: no PEM block")
	}
	if key, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return key, nil
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("loadgen: corpuskey.pem: %w", err)
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("loadgen: corpuskey.pem: %T, want an RSA key", parsed)
	}
	return key, nil
}

// dkimRecord returns the DKIM key record of key (RFC 6376 §3.6.1).
func dkimRecord(key *rsa.PrivateKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", err
	}
	return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der), nil
}

// field is one header field: name and the raw value after the colon,
// folding (CRLF + WSP) included.
type field struct{ name, value string }

// dkimSign returns the DKIM-Signature field for the message made of
// fields and body (CRLF line ends): rsa-sha256, relaxed/relaxed, signed by
// domain with dkimSelector over dkimSignedHeaders (RFC 6376 §3.5, §3.7),
// with go-msgauth. go-msgauth stamps t= with the current time and offers
// no option to set it, so t= and b= differ from one run to the next; all
// other bytes of the field depend on the input only.
func dkimSign(key *rsa.PrivateKey, domain string, fields []field, body []byte) (field, error) {
	var signed bytes.Buffer
	msg := render(fields, body)
	err := dkim.Sign(&signed, bytes.NewReader(msg), &dkim.SignOptions{
		Domain: domain, Selector: dkimSelector, Signer: key, HeaderKeys: dkimSignedHeaders,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed,
		BodyCanonicalization:   dkim.CanonicalizationRelaxed,
	})
	if err != nil {
		return field{}, fmt.Errorf("loadgen: DKIM: %w", err)
	}
	// dkim.Sign writes "DKIM-Signature:" value CRLF, then msg unchanged.
	sig := strings.TrimSuffix(string(signed.Bytes()[:signed.Len()-len(msg)]), "\r\n")
	name, value, ok := strings.Cut(sig, ":")
	if !ok {
		return field{}, errors.New("loadgen: DKIM: signer wrote no header field")
	}
	return field{name: name, value: value}, nil
}
