package rules

import (
	"net/netip"
	"testing"

	"milter91/internal/txn"
)

// BenchmarkEvaluateDefaults measures one message through the shipped rules
// with facts that make several of them match.
func BenchmarkEvaluateDefaults(b *testing.B) {
	set, err := Compile(Defaults())
	if err != nil {
		b.Fatal(err)
	}
	tx := &txn.Transaction{Conn: txn.Conn{ClientIP: netip.MustParseAddr("127.0.0.2"), HELO: "mx.example.net"},
		MailFrom: "a@example.com", Rcpts: []string{"b@example.org"}}
	facts := &txn.Facts{
		SPF:   txn.SPF{Result: "fail", Domain: "example.com"},
		DKIM:  []txn.DKIM{{Result: "fail", Domain: "example.com"}},
		DMARC: txn.DMARC{Result: "fail", Domain: "example.com", Policy: "none"},
		DNSBL: []txn.DNSBL{{Zone: "zen.example.test", Result: "notlisted"}},
	}
	b.ReportAllocs()
	for b.Loop() {
		set.Evaluate(tx, facts)
	}
}
