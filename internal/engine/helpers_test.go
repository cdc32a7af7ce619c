package engine_test

import (
	"context"
	"crypto/rsa"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"milter91/dnsbl"
	"milter91/internal/dkimtest"
	"milter91/internal/engine"
	"milter91/internal/resolver"
	"milter91/internal/txn"
	"milter91/rules"
)

// Names and addresses of the fixtures: reserved names and loopback only.
const (
	authservID = "mx.example.net"
	senderDom  = "example.com"
	clientIP   = "127.0.0.2"
	blZone     = "bl.example.test"
	selector   = "s1"
)

// plainMessage is a small CRLF message from example.com.
const plainMessage = "From: Alice <alice@example.com>\r\n" +
	"To: bob@example.net\r\n" +
	"Subject: hello\r\n" +
	"Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n" +
	"Message-ID: <1@example.com>\r\n" +
	"\r\n" +
	"Hello Bob.\r\n"

// dns returns a Fake with SPF and DMARC records for example.com.
func dns(spf, dmarc string) *resolver.Fake {
	f := &resolver.Fake{TXT: map[string][]string{}, A: map[string][]netip.Addr{}, Errors: map[string]error{}}
	if spf != "" {
		f.TXT[senderDom] = []string{spf}
	}
	if dmarc != "" {
		f.TXT["_dmarc."+senderDom] = []string{dmarc}
	}
	return f
}

// compile builds a rule set from the shipped defaults plus inline sources.
func compile(t testing.TB, extra ...string) *rules.Set {
	t.Helper()
	srcs := rules.Defaults()
	for i, s := range extra {
		srcs = append(srcs, rules.Source{Name: fmt.Sprintf("inline%d.yml", i), Data: []byte(s)})
	}
	set, err := rules.Compile(srcs)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// checker returns a DNSBL checker for one zone with a fixed clock.
func checker(t testing.TB, secret bool) *dnsbl.Checker {
	t.Helper()
	zones, err := dnsbl.Compile([]dnsbl.ZoneConfig{{Name: blZone, Secret: secret}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	c, err := dnsbl.NewChecker(zones, dnsbl.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newEngine builds an engine; opt.Rules defaults to the shipped rules and
// opt.AuthservID to authservID.
func newEngine(t testing.TB, opt engine.Options) *engine.Engine {
	t.Helper()
	if opt.Rules == nil {
		opt.Rules = compile(t)
	}
	if opt.AuthservID == "" {
		opt.AuthservID = authservID
	}
	e, err := engine.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// transaction parses raw (LF or CRLF) into a transaction from clientIP with
// MAIL FROM alice@example.com.
func transaction(t testing.TB, raw string) *txn.Transaction {
	t.Helper()
	headers, body, err := txn.ReadMessage(strings.NewReader(raw), 0, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { body.Close() })
	return &txn.Transaction{
		Conn:     txn.Conn{ClientIP: netip.MustParseAddr(clientIP), HELO: "mail.example.com", ClientName: "unknown"},
		QueueID:  "TESTQ1",
		MailFrom: "alice@" + senderDom,
		Rcpts:    []string{"bob@example.net"},
		Headers:  headers,
		Body:     body,
	}
}

// evaluate runs e on tr with a 10 s deadline.
func evaluate(t testing.TB, e *engine.Engine, tr *txn.Transaction) (*txn.Outcome, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := e.Evaluate(ctx, tr)
	if out == nil {
		t.Fatal("Evaluate returned a nil outcome")
	}
	return out, err
}

// mustEvaluate is evaluate for messages that must not fault.
func mustEvaluate(t testing.TB, e *engine.Engine, tr *txn.Transaction) *txn.Outcome {
	t.Helper()
	out, err := evaluate(t, e, tr)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	return out
}

// edits returns the edits of out named name (case-insensitive) with op.
func edits(out *txn.Outcome, op txn.EditOp, name string) []txn.HeaderEdit {
	var res []txn.HeaderEdit
	for _, e := range out.Edits {
		if e.Op == op && strings.EqualFold(e.Name, name) {
			res = append(res, e)
		}
	}
	return res
}

// matched reports whether the verdict matched rule id.
func matched(v txn.Verdict, id string) bool {
	for _, m := range v.Matches {
		if m.ID == id {
			return true
		}
	}
	return false
}

func testKey(t testing.TB) *rsa.PrivateKey { return dkimtest.RSAKey(t) }

func keyRecord(t testing.TB, key *rsa.PrivateKey) string { return dkimtest.RSARecord(t, key) }

// signDKIM prepends a relaxed/relaxed DKIM-Signature by domain/selector.
func signDKIM(t testing.TB, key *rsa.PrivateKey, domain, msg string) string {
	return dkimtest.Sign(t, key, domain, selector, msg)
}
