package auth

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"testing"

	"milter91/internal/resolver"
	"milter91/internal/txn"
)

// spfFailingResolver answers TXT lookups with a non-DNS error, the way a
// resolver that wraps errors would; blitiri/spf would call it permerror
// without normalisation.
type spfFailingResolver struct{ resolver.Fake }

func (*spfFailingResolver) LookupTXT(context.Context, string) ([]string, error) {
	return nil, errors.New("read udp: connection refused")
}

// checkSPFCase is one CheckSPF case.
type checkSPFCase struct {
	name           string
	ctx            context.Context
	r              resolver.Resolver
	ip             netip.Addr
	helo, mailFrom string
	want           txn.SPF
	detail         bool
}

var spfLo = netip.MustParseAddr("127.0.0.1")

// cancelledCtx is a context that is already cancelled.
var cancelledCtx = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

func txtRecord(name, rec string) map[string][]string { return map[string][]string{name: {rec}} }

// includeChain returns n records lI.example.com, each including the next.
func includeChain(n int) map[string][]string {
	chain := map[string][]string{}
	for i := range n {
		chain[fmt.Sprintf("l%d.example.com", i)] = []string{fmt.Sprintf("v=spf1 include:l%d.example.com -all", i+1)}
	}
	return chain
}

var spfCases = []checkSPFCase{
	{name: "pass", r: &resolver.Fake{TXT: txtRecord("example.com", "v=spf1 ip4:127.0.0.1 -all")},
		ip: spfLo, helo: "mx.example.net", mailFrom: "<user@example.com>",
		want: txn.SPF{Result: "pass", Identity: "mailfrom", Domain: "example.com", Sender: "user@example.com"}},
	{name: "fail", r: &resolver.Fake{TXT: txtRecord("example.com", "v=spf1 ip4:127.0.0.1 -all")},
		ip: netip.MustParseAddr("127.0.0.2"), mailFrom: "user@example.com",
		want: txn.SPF{Result: "fail", Identity: "mailfrom", Domain: "example.com", Sender: "user@example.com"}},
	{name: "softfail", r: &resolver.Fake{TXT: txtRecord("example.com", "v=spf1 ~all")}, ip: spfLo, mailFrom: "user@example.com",
		want: txn.SPF{Result: "softfail", Identity: "mailfrom", Domain: "example.com", Sender: "user@example.com"}},
	{name: "neutral", r: &resolver.Fake{TXT: txtRecord("example.com", "v=spf1 ?all")}, ip: spfLo, mailFrom: "user@example.com",
		want: txn.SPF{Result: "neutral", Identity: "mailfrom", Domain: "example.com", Sender: "user@example.com"}},
	{name: "none without a record", r: &resolver.Fake{}, ip: spfLo, mailFrom: "user@example.com",
		want: txn.SPF{Result: "none", Identity: "mailfrom", Domain: "example.com", Sender: "user@example.com"}},
	{name: "permerror for two records (RFC 7208 §4.5)",
		r:  &resolver.Fake{TXT: map[string][]string{"example.com": {"v=spf1 -all", "v=spf1 +all"}}},
		ip: spfLo, mailFrom: "user@example.com", detail: true,
		want: txn.SPF{Result: "permerror", Identity: "mailfrom", Domain: "example.com", Sender: "user@example.com"}},
	{name: "permerror for a syntax error", r: &resolver.Fake{TXT: txtRecord("example.com", "v=spf1 ip4:nonsense -all")},
		ip: spfLo, mailFrom: "user@example.com", detail: true,
		want: txn.SPF{Result: "permerror", Identity: "mailfrom", Domain: "example.com", Sender: "user@example.com"}},
	{name: "permerror past 10 lookups (RFC 7208 §4.6.4)", r: &resolver.Fake{TXT: includeChain(12)},
		ip: spfLo, mailFrom: "user@l0.example.com", detail: true,
		want: txn.SPF{Result: "permerror", Identity: "mailfrom", Domain: "l0.example.com", Sender: "user@l0.example.com"}},
	{name: "temperror on SERVFAIL", r: &resolver.Fake{Errors: map[string]error{
		"example.com": resolver.Temporary("example.com", "SERVFAIL", false)}},
		ip: spfLo, mailFrom: "user@example.com", detail: true,
		want: txn.SPF{Result: "temperror", Identity: "mailfrom", Domain: "example.com", Sender: "user@example.com"}},
	{name: "temperror on a non-DNS resolver error", r: &spfFailingResolver{},
		ip: spfLo, mailFrom: "user@example.com", detail: true,
		want: txn.SPF{Result: "temperror", Identity: "mailfrom", Domain: "example.com", Sender: "user@example.com"}},
	{name: "temperror on a cancelled context", ctx: cancelledCtx,
		r:  &resolver.Fake{TXT: txtRecord("example.com", "v=spf1 ip4:127.0.0.1 -all")},
		ip: spfLo, mailFrom: "user@example.com", detail: true,
		want: txn.SPF{Result: "temperror", Identity: "mailfrom", Domain: "example.com", Sender: "user@example.com"}},
	{name: "null sender checks HELO as postmaster@HELO",
		r: &resolver.Fake{TXT: txtRecord("mx.example.org", "v=spf1 exists:%{l}.%{d} -all"),
			A: map[string][]netip.Addr{"postmaster.mx.example.org": {spfLo}}},
		ip: spfLo, helo: "mx.example.org.", mailFrom: "<>",
		want: txn.SPF{Result: "pass", Identity: "helo", Domain: "mx.example.org", Sender: "postmaster@mx.example.org"}},
	{name: "missing local-part becomes postmaster (RFC 7208 §4.3)",
		r: &resolver.Fake{TXT: txtRecord("example.com", "v=spf1 exists:%{l}.user.example.com -all"),
			A: map[string][]netip.Addr{"postmaster.user.example.com": {spfLo}}},
		ip: spfLo, mailFrom: "@example.com",
		want: txn.SPF{Result: "pass", Identity: "mailfrom", Domain: "example.com", Sender: "postmaster@example.com"}},
	{name: "IPv4-mapped IPv6 is checked as IPv4", r: &resolver.Fake{TXT: txtRecord("example.com", "v=spf1 ip4:127.0.0.1 -all")},
		ip: netip.MustParseAddr("::ffff:127.0.0.1"), mailFrom: "user@example.com",
		want: txn.SPF{Result: "pass", Identity: "mailfrom", Domain: "example.com", Sender: "user@example.com"}},
	{name: "IPv6", r: &resolver.Fake{TXT: txtRecord("example.com", "v=spf1 ip6:::1 -all")},
		ip: netip.IPv6Loopback(), mailFrom: "user@example.com",
		want: txn.SPF{Result: "pass", Identity: "mailfrom", Domain: "example.com", Sender: "user@example.com"}},
	{name: "no client IP", r: &resolver.Fake{}, mailFrom: "user@example.com", detail: true,
		want: txn.SPF{Result: "none", Identity: "mailfrom", Domain: "example.com", Sender: "user@example.com"}},
	{name: "null sender and no HELO", r: &resolver.Fake{}, ip: spfLo, detail: true,
		want: txn.SPF{Result: "none", Identity: "helo"}},
	{name: "null sender and address-literal HELO", r: &resolver.Fake{}, ip: spfLo, helo: "[127.0.0.1]", detail: true,
		want: txn.SPF{Result: "none", Identity: "helo", Domain: "[127.0.0.1]", Sender: "postmaster@[127.0.0.1]"}},
	{name: "MAIL FROM without a domain", r: &resolver.Fake{}, ip: spfLo, mailFrom: "user", detail: true,
		want: txn.SPF{Result: "none", Identity: "mailfrom"}},
}

func TestCheckSPF(t *testing.T) {
	for _, tc := range spfCases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			got := CheckSPF(ctx, tc.r, tc.ip, tc.helo, tc.mailFrom)
			if (got.Detail != "") != tc.detail {
				t.Errorf("Detail %q, want detail=%v", got.Detail, tc.detail)
			}
			got.Detail = ""
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}
