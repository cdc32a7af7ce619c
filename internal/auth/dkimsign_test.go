package auth

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"strings"
	"testing"

	"milter91/internal/dkimtest"
	"milter91/internal/mailmsg"
)

// testMessage is an unsigned CRLF message from reserved names.
const testMessage = "From: Alice <alice@example.com>\r\n" +
	"To: bob@example.net\r\n" +
	"Subject: hello\r\n" +
	"Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n" +
	"Message-ID: <1@example.com>\r\n" +
	"\r\n" +
	"Hello Bob.\r\n"

// newEd25519 returns a deterministic Ed25519 key and its DKIM key record.
func newEd25519(seed byte) (ed25519.PrivateKey, string) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	pub := key.Public().(ed25519.PublicKey)
	return key, "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
}

// bValue returns the b= tag of the first DKIM-Signature of a signed message.
func bValue(t testing.TB, msg string) string {
	fields, _, err := mailmsg.ReadHeader(bufio.NewReader(strings.NewReader(msg)))
	if err != nil {
		t.Fatal(err)
	}
	tags := signatureTags(fields)
	if len(tags) == 0 {
		t.Fatal("no DKIM-Signature")
	}
	return tags[0]["b"]
}

func rsaRecord(t testing.TB, key *rsa.PrivateKey) string { return dkimtest.RSARecord(t, key) }

func sign(t testing.TB, key crypto.Signer, domain, selector, msg string) string {
	return dkimtest.Sign(t, key, domain, selector, msg)
}
