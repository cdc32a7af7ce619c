package main

import (
	"bytes"
	"crypto/rsa"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"

	"milter91/internal/dkimtest"
	"milter91/internal/pgtest"
	"milter91/internal/testdns"
)

// TestMain stops the private PostgreSQL cluster the store tests start.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// Fixture names: reserved names and loopback addresses only.
const (
	authservID = "mx.example.net"
	blZone     = "bl.example.test"
	listedIP   = "127.0.0.2" // listed in blZone
	cleanIP    = "127.0.0.3" // not listed
)

// unsigned is a small message from example.com (LF line ends, as a file
// saved by hand would have).
const unsigned = "From: Alice <alice@example.com>\n" +
	"To: bob@example.net\n" +
	"Subject: hello\n" +
	"Date: Mon, 01 Jan 2024 00:00:00 +0000\n" +
	"Message-ID: <1@example.com>\n" +
	"\n" +
	"Hello Bob.\n"

// signed returns unsigned with a DKIM-Signature by example.com, selector
// s1, computed over the CRLF form and returned with LF line ends: check
// must turn them back into CRLF before verifying.
func signed(t *testing.T) string {
	t.Helper()
	var out bytes.Buffer
	crlf := strings.ReplaceAll(unsigned, "\n", "\r\n")
	err := dkim.Sign(&out, strings.NewReader(crlf), &dkim.SignOptions{
		Domain: "example.com", Selector: "s1", Signer: testKey(t),
		HeaderKeys: []string{"From", "To", "Subject", "Date", "Message-ID"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(out.String(), "\r\n", "\n")
}

// startDNS serves example.com (SPF -all, DMARC p=reject, the DKIM key of
// testKey) and bl.example.test (listing listedIP) on loopback.
func startDNS(t *testing.T) *testdns.Server {
	t.Helper()
	z := testdns.NewZone()
	z.MustAdd(
		`example.com. 300 IN TXT "v=spf1 -all"`,
		`_dmarc.example.com. 300 IN TXT "v=DMARC1; p=reject"`,
		`2.0.0.127.bl.example.test. 300 IN A 127.0.0.2`,
	)
	if err := z.AddTXT("s1._domainkey.example.com", 300, dkimtest.RSARecord(t, testKey(t))); err != nil {
		t.Fatal(err)
	}
	s, err := testdns.Start(z)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// baseConfig names our authserv-id and the blocklist; DNS gives up fast.
const baseConfig = `authserv_id: mx.example.net
dns:
  timeout: 1s
  retries: 0
dnsbl:
  zones:
    - name: bl.example.test
log:
  level: error
`

// writeFile writes data to name in dir and returns the path.
func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// result is what one run printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// runCmd calls run with args and stdin.
func runCmd(stdin string, args ...string) result {
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errOut)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

func testKey(t testing.TB) *rsa.PrivateKey { return dkimtest.RSAKey(t) }
