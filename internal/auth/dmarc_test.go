package auth

import (
	"context"
	"testing"

	"milter91/internal/mailmsg"
	"milter91/internal/resolver"
	"milter91/internal/txn"
)

// dmarcCase is one CheckDMARC case: TXT records and errors for a
// resolver.Fake, the message's From fields and SPF/DKIM facts.
type dmarcCase struct {
	name   string
	txt    map[string][]string
	errs   map[string]error
	from   []string
	spf    txn.SPF
	dkim   []txn.DKIM
	want   txn.DMARC
	detail bool // want a Detail
}

var (
	dmarcTmp  = resolver.Temporary("_dmarc.example.com", "SERVFAIL", false)
	dmarcFrom = []string{" Alice <alice@example.com>"}
	dmarcSub  = []string{"alice@mail.example.com"}
)

func spfPass(domain string) txn.SPF {
	return txn.SPF{Result: "pass", Identity: IdentityMailFrom, Domain: domain}
}

func dkimRes(result, domain string) []txn.DKIM { return []txn.DKIM{{Result: result, Domain: domain}} }

var dmarcCases = []dmarcCase{
	{name: "DKIM relaxed alignment passes",
		txt: map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=reject"}}, from: dmarcFrom,
		dkim: dkimRes("pass", "mail.example.com"),
		want: txn.DMARC{Result: "pass", Domain: "example.com", OrgDomain: "example.com", Policy: "reject", Pct: 100, DKIMAligned: true}},
	{name: "DKIM strict alignment fails on a subdomain",
		txt: map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=reject; adkim=s"}}, from: dmarcFrom,
		dkim: dkimRes("pass", "mail.example.com"),
		want: txn.DMARC{Result: "fail", Domain: "example.com", OrgDomain: "example.com", Policy: "reject", Pct: 100}, detail: true},
	{name: "DKIM strict alignment passes on the same domain",
		txt: map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=reject; adkim=s"}}, from: []string{"a@Example.COM"},
		dkim: dkimRes("pass", "example.com"),
		want: txn.DMARC{Result: "pass", Domain: "example.com", OrgDomain: "example.com", Policy: "reject", Pct: 100, DKIMAligned: true}},
	{name: "failed DKIM does not align",
		txt: map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=quarantine"}}, from: dmarcFrom,
		dkim: dkimRes("fail", "example.com"),
		want: txn.DMARC{Result: "fail", Domain: "example.com", OrgDomain: "example.com", Policy: "quarantine", Pct: 100}, detail: true},
	{name: "unrelated DKIM domain does not align",
		txt: map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=none"}}, from: dmarcFrom,
		dkim: dkimRes("pass", "example.net"),
		want: txn.DMARC{Result: "fail", Domain: "example.com", OrgDomain: "example.com", Policy: "none", Pct: 100}, detail: true},
	{name: "SPF relaxed alignment passes",
		txt: map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=reject"}}, from: dmarcFrom,
		spf:  spfPass("bounce.example.com"),
		want: txn.DMARC{Result: "pass", Domain: "example.com", OrgDomain: "example.com", Policy: "reject", Pct: 100, SPFAligned: true}},
	{name: "SPF strict alignment fails on a subdomain",
		txt: map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=reject; aspf=s"}}, from: dmarcFrom,
		spf:  spfPass("bounce.example.com"),
		want: txn.DMARC{Result: "fail", Domain: "example.com", OrgDomain: "example.com", Policy: "reject", Pct: 100}, detail: true},
	{name: "SPF softfail does not align",
		txt: map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=reject"}}, from: dmarcFrom,
		spf:  txn.SPF{Result: "softfail", Identity: IdentityMailFrom, Domain: "example.com"},
		want: txn.DMARC{Result: "fail", Domain: "example.com", OrgDomain: "example.com", Policy: "reject", Pct: 100}, detail: true},
	{name: "SPF pass for the HELO identity does not align",
		txt: map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=reject"}}, from: dmarcFrom,
		spf:  txn.SPF{Result: "pass", Identity: IdentityHELO, Domain: "mx.example.com"},
		want: txn.DMARC{Result: "fail", Domain: "example.com", OrgDomain: "example.com", Policy: "reject", Pct: 100}, detail: true},
	{name: "no record", from: dmarcFrom, dkim: dkimRes("pass", "example.com"),
		want: txn.DMARC{Result: "none", Domain: "example.com", OrgDomain: "example.com", DKIMAligned: true}, detail: true},
	{name: "subdomain uses sp= of the organizational record",
		txt: map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=reject; sp=quarantine; pct=20"}}, from: dmarcSub,
		want: txn.DMARC{Result: "fail", Domain: "mail.example.com", OrgDomain: "example.com", Policy: "quarantine", Pct: 20}, detail: true},
	{name: "subdomain without sp= uses p=",
		txt: map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=reject"}}, from: dmarcSub,
		want: txn.DMARC{Result: "fail", Domain: "mail.example.com", OrgDomain: "example.com", Policy: "reject", Pct: 100}, detail: true},
	{name: "subdomain with its own record uses its p=",
		txt: map[string][]string{"_dmarc.mail.example.com": {"v=DMARC1; p=none; sp=reject"},
			"_dmarc.example.com": {"v=DMARC1; p=reject; sp=reject"}}, from: dmarcSub,
		want: txn.DMARC{Result: "fail", Domain: "mail.example.com", OrgDomain: "example.com", Policy: "none", Pct: 100}, detail: true},
	{name: "non-DMARC TXT at the subdomain falls back to the organizational domain",
		txt: map[string][]string{"_dmarc.mail.example.com": {"v=spf1 -all", "v=DMARC10; p=none"},
			"_dmarc.example.com": {"v=DMARC1; p=reject; sp=none"}}, from: dmarcSub,
		want: txn.DMARC{Result: "fail", Domain: "mail.example.com", OrgDomain: "example.com", Policy: "none", Pct: 100}, detail: true},
	{name: "temperror at _dmarc",
		errs: map[string]error{"_dmarc.example.com": dmarcTmp}, from: dmarcFrom, dkim: dkimRes("pass", "example.com"),
		want: txn.DMARC{Result: "temperror", Domain: "example.com", OrgDomain: "example.com", DKIMAligned: true}, detail: true},
	{name: "temperror at the organizational domain",
		errs: map[string]error{"_dmarc.example.com": dmarcTmp}, from: dmarcSub,
		want: txn.DMARC{Result: "temperror", Domain: "mail.example.com", OrgDomain: "example.com"}, detail: true},
	// A temporary error on an identifier that could have aligned leaves
	// DMARC undecided: without it the message might have passed.
	{name: "aligned DKIM key lookup timed out, SPF fail: temperror",
		txt: map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=reject"}}, from: dmarcFrom,
		spf:  txn.SPF{Result: "fail", Identity: IdentityMailFrom, Domain: "example.com"},
		dkim: dkimRes("temperror", "example.com"),
		want: txn.DMARC{Result: "temperror", Domain: "example.com", OrgDomain: "example.com", Policy: "reject", Pct: 100}, detail: true},
	{name: "relaxed-aligned DKIM temperror on a subdomain: temperror",
		txt: map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=quarantine"}}, from: dmarcFrom,
		dkim: dkimRes("temperror", "mail.example.com"),
		want: txn.DMARC{Result: "temperror", Domain: "example.com", OrgDomain: "example.com", Policy: "quarantine", Pct: 100}, detail: true},
	{name: "aligned SPF temperror, no DKIM: temperror",
		txt: map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=reject"}}, from: dmarcFrom,
		spf:  txn.SPF{Result: "temperror", Identity: IdentityMailFrom, Domain: "bounce.example.com"},
		want: txn.DMARC{Result: "temperror", Domain: "example.com", OrgDomain: "example.com", Policy: "reject", Pct: 100}, detail: true},
	{name: "an aligned pass wins over a temperror",
		txt: map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=reject"}}, from: dmarcFrom,
		spf:  txn.SPF{Result: "temperror", Identity: IdentityMailFrom, Domain: "example.com"},
		dkim: dkimRes("pass", "example.com"),
		want: txn.DMARC{Result: "pass", Domain: "example.com", OrgDomain: "example.com", Policy: "reject", Pct: 100, DKIMAligned: true}},
	{name: "DKIM temperror for another domain cannot align: fail",
		txt: map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=reject"}}, from: dmarcFrom,
		dkim: dkimRes("temperror", "example.net"),
		want: txn.DMARC{Result: "fail", Domain: "example.com", OrgDomain: "example.com", Policy: "reject", Pct: 100}, detail: true},
	{name: "DKIM temperror on a subdomain under adkim=s cannot align: fail",
		txt: map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=reject; adkim=s"}}, from: dmarcFrom,
		dkim: dkimRes("temperror", "mail.example.com"),
		want: txn.DMARC{Result: "fail", Domain: "example.com", OrgDomain: "example.com", Policy: "reject", Pct: 100}, detail: true},
	{name: "SPF temperror for an unaligned MAIL FROM domain: fail",
		txt: map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=reject"}}, from: dmarcFrom,
		spf:  txn.SPF{Result: "temperror", Identity: IdentityMailFrom, Domain: "example.net"},
		want: txn.DMARC{Result: "fail", Domain: "example.com", OrgDomain: "example.com", Policy: "reject", Pct: 100}, detail: true},
	{name: "SPF temperror for the HELO identity cannot align: fail",
		txt: map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=reject"}}, from: dmarcFrom,
		spf:  txn.SPF{Result: "temperror", Identity: IdentityHELO, Domain: "mx.example.com"},
		want: txn.DMARC{Result: "fail", Domain: "example.com", OrgDomain: "example.com", Policy: "reject", Pct: 100}, detail: true},
	{name: "temperror at _dmarc with an unaligned temperror",
		errs: map[string]error{"_dmarc.example.com": dmarcTmp}, from: dmarcFrom,
		spf:  txn.SPF{Result: "fail", Identity: IdentityMailFrom, Domain: "example.com"},
		dkim: dkimRes("temperror", "example.com"),
		want: txn.DMARC{Result: "temperror", Domain: "example.com", OrgDomain: "example.com"}, detail: true},
	{name: "temperror at the From domain's _dmarc stops discovery",
		txt:  map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=reject"}},
		errs: map[string]error{"_dmarc.mail.example.com": resolver.Temporary("_dmarc.mail.example.com", "i/o timeout", true)},
		from: dmarcSub,
		want: txn.DMARC{Result: "temperror", Domain: "mail.example.com", OrgDomain: "example.com"}, detail: true},
	{name: "several DMARC records give none (RFC 7489 §6.6.3)",
		txt: map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=reject", "v=DMARC1; p=none"}}, from: dmarcFrom,
		want: txn.DMARC{Result: "none", Domain: "example.com", OrgDomain: "example.com"}, detail: true},
	{name: "several records at the From domain stop discovery",
		txt: map[string][]string{"_dmarc.mail.example.com": {"v=DMARC1; p=none", "v=DMARC1; p=none"},
			"_dmarc.example.com": {"v=DMARC1; p=reject"}}, from: dmarcSub,
		want: txn.DMARC{Result: "none", Domain: "mail.example.com", OrgDomain: "example.com"}, detail: true},
	{name: "unparsable record is permerror",
		txt: map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=bogus"}}, from: dmarcFrom,
		want: txn.DMARC{Result: "permerror", Domain: "example.com", OrgDomain: "example.com"}, detail: true},
	{name: "several From domains",
		txt:  map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=reject"}},
		from: []string{"a@example.com, b@example.net"},
		want: txn.DMARC{Result: "permerror"}, detail: true},
	{name: "several From fields in different domains",
		from: []string{"a@example.com", "b@example.org"}, want: txn.DMARC{Result: "permerror"}, detail: true},
	{name: "several From fields in one domain are evaluated",
		txt:  map[string][]string{"_dmarc.example.com": {"v=DMARC1; p=reject"}},
		from: []string{"a@example.com", "b@EXAMPLE.com"}, dkim: dkimRes("pass", "example.com"),
		want: txn.DMARC{Result: "pass", Domain: "example.com", OrgDomain: "example.com", Policy: "reject", Pct: 100, DKIMAligned: true}},
	{name: "no From field", from: nil, want: txn.DMARC{Result: "permerror"}, detail: true},
	{name: "From with an empty group", from: []string{"undisclosed-recipients:;"},
		want: txn.DMARC{Result: "permerror"}, detail: true},
	{name: "unparsable From", from: []string{"<<<"}, want: txn.DMARC{Result: "permerror"}, detail: true},
	{name: "domain-literal From", from: []string{"a@[127.0.0.1]"}, want: txn.DMARC{Result: "permerror"}, detail: true},
	{name: "folded From with an encoded name in an unknown charset",
		txt:  map[string][]string{"_dmarc.example.org": {"v=DMARC1; p=none"}},
		from: []string{" =?x-unknown?Q?Al=E9?=\r\n <alice@example.org>"},
		want: txn.DMARC{Result: "fail", Domain: "example.org", OrgDomain: "example.org", Policy: "none", Pct: 100}, detail: true},
	{name: "IDN From domain is looked up as A-labels",
		txt:  map[string][]string{"_dmarc.xn--bcher-kva.example": {"v=DMARC1; p=reject"}},
		from: []string{"a@bücher.example"}, dkim: dkimRes("pass", "xn--bcher-kva.example"),
		want: txn.DMARC{Result: "pass", Domain: "xn--bcher-kva.example", OrgDomain: "xn--bcher-kva.example",
			Policy: "reject", Pct: 100, DKIMAligned: true}},
}

func TestCheckDMARC(t *testing.T) {
	for _, tc := range dmarcCases {
		t.Run(tc.name, func(t *testing.T) {
			r := &resolver.Fake{TXT: tc.txt, Errors: tc.errs}
			got := CheckDMARC(context.Background(), r, mailmsg.ParseFrom(tc.from), tc.spf, tc.dkim)
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
