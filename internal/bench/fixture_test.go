// Package bench measures the whole milter91 pipeline: engine.Evaluate with
// the shipped rules and a blocklist zone, DNS answered by the production
// resolver from its cache (the first lookups go to an in-process testdns
// server on loopback), and the milter adapter over a loopback connection.
// It holds benchmarks only; BENCHMARKS.md at the module root has the
// numbers.
package bench

import (
	"bytes"
	"context"
	"crypto/rsa"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"milter91/internal/cpumeter"
	"milter91/internal/dkimtest"

	"github.com/emersion/go-msgauth/dkim"

	"milter91/dnsbl"
	"milter91/internal/engine"
	"milter91/internal/resolver"
	"milter91/internal/testdns"
	"milter91/internal/txn"
	"milter91/rules"
)

// Sizes of the benchmark messages, headers included.
const (
	kib = 1 << 10
	mib = 1 << 20
)

// clientIP is not listed in the blocklist; SPF authorizes 127.0.0.0/8.
var clientIP = netip.MustParseAddr("127.0.0.3")

// message returns a CRLF message of exactly size bytes (size >= 2 KiB)
// signed by example.com with one RSA-2048 DKIM signature (relaxed/relaxed).
// The body is plain text lines of 72 characters.
func message(b testing.TB, size int) []byte {
	b.Helper()
	head := "From: Alice <alice@example.com>\r\n" +
		"To: bob@example.net\r\n" +
		"Subject: quarterly report\r\n" +
		"Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n" +
		"Message-ID: <bench@example.com>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"\r\n"
	line := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 2)[:70] + "\r\n"
	var body bytes.Buffer
	for body.Len() < size {
		body.WriteString(line)
	}
	unsigned := head + body.String()
	signed := sign(b, unsigned)
	// Trim the body so that the signed message is exactly size bytes, then
	// sign again: the signature's length does not depend on the body.
	over := len(signed) - size
	cut := body.Len() - over
	fixed := body.String()[:cut-2]
	if strings.HasSuffix(fixed, "\r") {
		// A CR before the CRLF would not survive ReadMessage's line ends.
		fixed = fixed[:len(fixed)-1] + "x"
	}
	out := sign(b, head+fixed+"\r\n")
	if len(out) != size {
		b.Fatalf("message is %d bytes, want %d", len(out), size)
	}
	return out
}

func sign(b testing.TB, msg string) []byte {
	b.Helper()
	var out bytes.Buffer
	err := dkim.Sign(&out, strings.NewReader(msg), &dkim.SignOptions{
		Domain: "example.com", Selector: "s1", Signer: signingKey(b),
		HeaderCanonicalization: dkim.CanonicalizationRelaxed,
		BodyCanonicalization:   dkim.CanonicalizationRelaxed,
		HeaderKeys:             []string{"From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"},
	})
	if err != nil {
		b.Fatal(err)
	}
	return out.Bytes()
}

// startDNS serves example.com (SPF, DMARC p=reject, the DKIM key) on
// loopback; bl.example.test lists nothing.
func startDNS(b testing.TB) *testdns.Server {
	b.Helper()
	z := testdns.NewZone()
	z.MustAdd(
		`example.com. 3600 IN TXT "v=spf1 ip4:127.0.0.0/8 -all"`,
		`_dmarc.example.com. 3600 IN TXT "v=DMARC1; p=reject"`,
		`bl.example.test. 3600 IN SOA ns.example.test. hostmaster.example.test. 1 3600 600 86400 3600`,
	)
	if err := z.AddTXT("s1._domainkey.example.com", 3600, dkimtest.RSARecord(b, signingKey(b))); err != nil {
		b.Fatal(err)
	}
	s, err := testdns.Start(z)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// pipeline is an engine wired as `milter91 serve` wires it, with the
// production resolver.
type pipeline struct {
	dns *testdns.Server
	res *resolver.Client
	eng *engine.Engine
}

// newPipeline starts the DNS server and builds the engine; cacheSize is
// resolver.Config.CacheSize (0: default, negative: no cache).
func newPipeline(b testing.TB, cacheSize int) *pipeline {
	b.Helper()
	p := &pipeline{dns: startDNS(b)}
	var err error
	if p.res, err = resolver.New(resolver.Config{Servers: []string{p.dns.Addr()}, CacheSize: cacheSize}); err != nil {
		b.Fatal(err)
	}
	set, err := rules.Compile(rules.Defaults())
	if err != nil {
		b.Fatal(err)
	}
	zones, err := dnsbl.Compile([]dnsbl.ZoneConfig{{Name: "bl.example.test"}})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	checker, err := dnsbl.NewChecker(zones, dnsbl.Options{Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	p.eng, err = engine.New(engine.Options{Resolver: p.res, Rules: set, DNSBL: checker, AuthservID: "mx.example.net"})
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// transaction parses msg (body in memory) as a message from clientIP.
func transaction(b testing.TB, msg []byte) *txn.Transaction {
	b.Helper()
	headers, body, err := txn.ReadMessage(bytes.NewReader(msg), 0, "")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { body.Close() })
	return &txn.Transaction{
		Conn:     txn.Conn{ClientIP: clientIP, HELO: "mail.example.com", ClientName: "unknown"},
		QueueID:  "BENCH",
		MailFrom: "alice@example.com",
		Rcpts:    []string{"bob@example.net"},
		Headers:  headers,
		Body:     body,
	}
}

// wantAccepted fails unless out is a clean accept with DKIM and DMARC pass:
// a benchmark of a broken pipeline measures nothing useful.
func wantAccepted(b testing.TB, out *txn.Outcome, err error) {
	b.Helper()
	if err != nil {
		b.Fatalf("Evaluate: %v", err)
	}
	f := out.Facts
	if out.Verdict.Action != txn.ActionAccept || len(f.DKIM) != 1 || f.DKIM[0].Result != txn.ResultPass ||
		f.SPF.Result != txn.ResultPass || f.DMARC.Result != txn.ResultPass || len(f.DNSBL) != 1 || f.DNSBL[0].Listed {
		b.Fatalf("verdict %v rules %v spf %q dkim %+v dmarc %q dnsbl %+v; want a clean accept",
			out.Verdict.Action, out.Verdict.RuleIDs(), f.SPF.Result, f.DKIM, f.DMARC.Result, f.DNSBL)
	}
}

// evaluate runs the engine once with a 20 s deadline (the default
// message_deadline).
func (p *pipeline) evaluate(t *txn.Transaction) (*txn.Outcome, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return p.eng.Evaluate(ctx, t)
}

// cpuTime is the process's user plus system CPU time.
func cpuTime(b testing.TB) time.Duration { return cpumeter.Process(b) }

// sizeName is "10KiB" or "1MiB".
func sizeName(n int) string {
	if n >= mib {
		return fmt.Sprintf("%dMiB", n/mib)
	}
	return fmt.Sprintf("%dKiB", n/kib)
}

func signingKey(b testing.TB) *rsa.PrivateKey { return dkimtest.RSAKey(b) }
