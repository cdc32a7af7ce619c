package dmarc_test

import (
	"context"
	"fmt"

	"milter91/internal/dmarc"
	"milter91/internal/resolver"
)

// Example evaluates a message from news.example.com whose only
// authenticated identifier is an SPF pass for another domain.
func Example() {
	dns := &resolver.Fake{TXT: map[string][]string{
		"_dmarc.example.com": {"v=DMARC1; p=reject; sp=quarantine; t=y; rua=mailto:dmarc@example.com"},
		"news.example.com":   {"v=spf1 -all"},
	}}
	c := &dmarc.Checker{R: dns}
	res := c.Evaluate(context.Background(), dmarc.Input{
		AuthorDomain: "news.example.com",
		SPF:          dmarc.Identifier{Domain: "esp.example.net", Result: dmarc.ResultPass},
	})
	fmt.Println(res.Result, res.PolicyDomain, res.PolicyTag+"="+string(res.Policy), "testing:", res.Testing, "requested:", res.Requested)
	// Output: fail example.com sp=quarantine testing: true requested: none
}
