package rules

import (
	"errors"
	"net/netip"
	"slices"
	"testing"

	"milter91/internal/txn"
)

// FuzzCompile feeds arbitrary bytes to Compile: it must return a Set or an
// error, never panic nor recover a panic (an Internal error), and a Set
// must evaluate without panicking.
func FuzzCompile(f *testing.F) {
	for _, s := range Defaults() {
		f.Add(s.Data)
	}
	for _, s := range []string{precedenceRules, baseRules, allFactsRule,
		"rules: [{id: A, ref: x, score: 1, when: {not: {all: [{spf: fail}]}}}]",
		"settings: {tag_at: 5, reject_at: 1}", "a: *x", "- - - [", "rules:\n\t- x", "{{{", "&a [*a]", "!!binary x",
	} {
		f.Add([]byte(s))
	}
	tx := &txn.Transaction{Conn: txn.Conn{ClientIP: netip.MustParseAddr("127.0.0.2"), HELO: "x"}, Rcpts: []string{"a@example.org"},
		Headers: []txn.Header{{Name: "Subject", Value: " hi"}}}
	facts := &txn.Facts{SPF: txn.SPF{Result: "fail"}, DKIM: []txn.DKIM{{Result: "fail"}}, DMARC: txn.DMARC{Result: "fail", Policy: "reject"},
		DNSBL: []txn.DNSBL{{Zone: "zen.example.test", Sources: []string{"client"}, Listed: true, Secret: true}}, Temperrors: []string{"spf"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := Compile([]Source{{Name: "f.yml", Data: data}})
		if err != nil {
			if set != nil {
				t.Fatalf("Compile returned a Set and an error")
			}
			if err.Error() == "" {
				t.Fatalf("empty error text")
			}
			var list ErrorList
			if errors.As(err, &list) && slices.ContainsFunc(list, func(e Error) bool { return e.Internal }) {
				t.Fatalf("a recovered panic: %v", err)
			}
			return
		}
		set.Evaluate(nil, nil)
		set.Evaluate(tx, facts)
		set.Rules()
	})
}
