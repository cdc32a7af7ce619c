package dnsbl_test

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"milter91/dnsbl"
	"milter91/internal/resolver"
)

// A zone with return-code tags asked about one client address (RFC 5782
// §2.1: the reversed octets in front of the zone). The answers become
// facts; the rules decide what a listing costs.
func ExampleChecker_Check() {
	zones, err := dnsbl.Compile([]dnsbl.ZoneConfig{{
		Name:  "zen.example.test",
		Codes: []dnsbl.CodeMap{{Tag: "sbl", Match: "127.0.0.2"}, {Tag: "pbl", Match: "127.0.0.10/31"}},
	}})
	if err != nil {
		panic(err)
	}
	c, err := dnsbl.NewChecker(zones, dnsbl.Options{Now: time.Now})
	if err != nil {
		panic(err)
	}
	client := netip.MustParseAddr("192.0.2.99")
	q, _ := dnsbl.QueryName(client, "zen.example.test")
	dns := &resolver.Fake{A: map[string][]netip.Addr{q: {netip.MustParseAddr("127.0.0.2")}}}
	for _, f := range c.Check(context.Background(), dns, client) {
		fmt.Println(f.Query, f.Result, f.Tags, f.Sources)
	}
	// Output:
	// 99.2.0.192.zen.example.test listed [sbl] [client]
}
