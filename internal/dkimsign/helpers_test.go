package dkimsign

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"

	"milter91/internal/mailmsg"
)

// writeKey writes k as a PKCS#8 PEM file of mode 0600 in dir and returns
// its name.
func writeKey(t testing.TB, dir, name string, k crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// split reads msg (CRLF) into its header fields and body.
func split(t testing.TB, msg string) ([]mailmsg.Field, string) {
	t.Helper()
	br := bufio.NewReader(strings.NewReader(msg))
	fields, first, err := mailmsg.ReadHeader(br)
	if err != nil {
		t.Fatal(err)
	}
	var rest bytes.Buffer
	rest.Write(first)
	rest.ReadFrom(br)
	return fields, rest.String()
}

// verify prepends sigs to fields, verifies the message with go-msgauth
// against the key records txt (name → record) and returns the
// verifications.
func verify(t testing.TB, sigs, fields []mailmsg.Field, body string, txt map[string]string) []*dkim.Verification {
	t.Helper()
	msg := string(mailmsg.AppendBlock(nil, append(append([]mailmsg.Field(nil), sigs...), fields...))) + body
	v, err := dkim.VerifyWithOptions(strings.NewReader(msg), &dkim.VerifyOptions{
		LookupTXT: func(name string) ([]string, error) {
			if r, ok := txt[strings.ToLower(name)]; ok {
				return []string{r}, nil
			}
			return nil, &netNotFound{name}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

type netNotFound struct{ name string }

func (e *netNotFound) Error() string   { return "no such host " + e.name }
func (e *netNotFound) Timeout() bool   { return false }
func (e *netNotFound) Temporary() bool { return false }

// rfc8463DNS returns the key records of RFC 8463's example, each
// record's strings concatenated.
func rfc8463DNS(t testing.TB) map[string]string {
	t.Helper()
	data, err := os.ReadFile("testdata/rfc8463/dns.json")
	if err != nil {
		t.Fatal(err)
	}
	var zone map[string]map[string][][]string
	if err := json.Unmarshal(data, &zone); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for name, rr := range zone {
		for _, strs := range rr["TXT"] {
			out[strings.ToLower(name)] = strings.Join(strs, "")
		}
	}
	return out
}
