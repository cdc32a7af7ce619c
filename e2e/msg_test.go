package e2e

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-msgauth/authres"
	"github.com/emersion/go-msgauth/dkim"

	"milter91/internal/testdns"
)

const (
	authservID    = "mx.e2e.test"
	blocklistZone = "bl.example.test"
	// goodDomain passes SPF from all of 127.0.0.0/8, publishes DMARC
	// p=reject and the test's DKIM key.
	goodDomain = "good.example.test"
	// strictDomain fails SPF from everywhere and publishes DMARC p=reject.
	strictDomain = "strict.example.test"
	dkimSelector = "e2e"
	recipient    = "rcpt@example.net"
	// blockedIP is listed in blocklistZone with 127.0.0.2.
	blockedIP = "127.0.0.2"
	// uriblZone is a domain zone asked about link hosts; it lists the
	// organizational domain listedLinkDomain.
	uriblZone = "uribl.example.test"
	// earlyIP is on the national list, marked early: reject.
	earlyIP          = "127.0.0.66"
	listedLinkDomain = "spam-link.test"
)

// fillZone publishes the records the tests rely on.
func fillZone(z *testdns.Zone, dkimPub *rsa.PublicKey) error {
	der, err := x509.MarshalPKIXPublicKey(dkimPub)
	if err != nil {
		return err
	}
	for _, rr := range []string{
		goodDomain + `. 300 IN TXT "v=spf1 ip4:127.0.0.0/8 -all"`,
		"_dmarc." + goodDomain + `. 300 IN TXT "v=DMARC1; p=reject"`,
		strictDomain + `. 300 IN TXT "v=spf1 -all"`,
		"_dmarc." + strictDomain + `. 300 IN TXT "v=DMARC1; p=reject"`,
		"2.0.0.127." + blocklistZone + ". 300 IN A " + blockedIP,
		"2.0.0.127." + blocklistZone + `. 300 IN TXT "listed for the e2e test"`,
		listedLinkDomain + "." + uriblZone + ". 300 IN A 127.0.0.2",
		"test." + uriblZone + ". 300 IN A 127.0.0.2", // RFC 5782 §5 test point: the zone passes its health check
	} {
		if err := z.Add(rr); err != nil {
			return err
		}
	}
	key := "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
	return z.AddTXT(dkimSelector+"._domainkey."+goodDomain, 300, key)
}

var tokenSeq atomic.Int64

// newToken returns a string unique to this test run, put into a message's
// X-E2E-ID and Message-ID so that the sink can find it.
func newToken(t *testing.T) string {
	name := strings.NewReplacer("/", "-", " ", "-").Replace(t.Name())
	return fmt.Sprintf("%s-%d", name, tokenSeq.Add(1))
}

// mail describes a test message; build renders it.
type mail struct {
	Token   string
	From    string   // RFC 5322.From field value
	Subject string   // raw field value, may hold 8-bit bytes
	Extra   []string // more header fields, raw, without CRLF
	Body    string   // CRLF line ends; "" gives a one-line body
}

// build returns the message bytes with CRLF line ends.
func (m mail) build() []byte {
	var b bytes.Buffer
	fields := append([]string{
		"From: " + m.From,
		"To: <" + recipient + ">",
		"Subject: " + m.Subject,
		"Date: Mon, 06 Jan 2025 10:00:00 +0000",
		"Message-ID: <" + m.Token + "@e2e.test>",
		"X-E2E-ID: " + m.Token,
	}, m.Extra...)
	fields = append(fields, "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8")
	for _, f := range fields {
		b.WriteString(f + "\r\n")
	}
	b.WriteString("\r\n")
	if m.Body == "" {
		m.Body = "Hello from the milter91 end-to-end test.\r\n"
	}
	b.WriteString(m.Body)
	return b.Bytes()
}

// dkimSign prepends a DKIM-Signature (RFC 6376, rsa-sha256, relaxed/relaxed)
// by goodDomain over the usual header fields.
func dkimSign(t *testing.T, key crypto.Signer, msg []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	err := dkim.Sign(&out, bytes.NewReader(msg), &dkim.SignOptions{
		Domain:                 goodDomain,
		Selector:               dkimSelector,
		Signer:                 key,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed,
		BodyCanonicalization:   dkim.CanonicalizationRelaxed,
		HeaderKeys:             []string{"From", "To", "Subject", "Date", "Message-ID"},
	})
	if err != nil {
		t.Fatalf("dkim sign: %v", err)
	}
	return out.Bytes()
}

// headerFields splits a header block into its raw fields, each with its
// continuation lines and CRLFs, bytes untouched.
func headerFields(block []byte) []string {
	s := string(block)
	var out []string
	field := -1 // start of the field being read, -1 for none
	for pos := 0; pos < len(s); {
		next := len(s)
		if n := strings.Index(s[pos:], "\r\n"); n >= 0 {
			next = pos + n + 2
		}
		line := s[pos:next]
		if field < 0 || line == "\r\n" || (line[0] != ' ' && line[0] != '\t') {
			if field >= 0 {
				out = append(out, s[field:pos])
			}
			field = -1
			if line != "\r\n" {
				field = pos
			}
		}
		pos = next
	}
	if field >= 0 {
		out = append(out, s[field:])
	}
	return out
}

// fieldName returns the lower-cased name of a raw header field.
func fieldName(field string) string {
	name, _, _ := strings.Cut(field, ":")
	return strings.ToLower(strings.TrimSpace(name))
}

// fieldValue returns the unfolded value of a raw header field.
func fieldValue(field string) string {
	_, v, _ := strings.Cut(field, ":")
	return strings.TrimSpace(strings.NewReplacer("\r\n", "", "\n", "").Replace(v))
}

// authResults parses an Authentication-Results value (RFC 8601) into the
// authserv-id and method → result, e.g. {"spf": "pass", "dkim": "pass"};
// of several results of one method the first is kept.
func authResults(t *testing.T, value string) (string, map[string]string) {
	t.Helper()
	id, results, err := authres.Parse(value)
	if err != nil {
		t.Fatalf("Authentication-Results %q: %v", value, err)
	}
	out := map[string]string{}
	put := func(method string, v authres.ResultValue) {
		if _, ok := out[method]; !ok {
			out[method] = string(v)
		}
	}
	for _, r := range results {
		switch r := r.(type) {
		case *authres.SPFResult:
			put("spf", r.Value)
		case *authres.DKIMResult:
			put("dkim", r.Value)
		case *authres.DMARCResult:
			put("dmarc", r.Value)
		case *authres.IPRevResult:
			put("iprev", r.Value)
		}
	}
	return id, out
}
