package rules

import (
	"net/netip"
	"strings"
	"testing"

	"milter91/internal/txn"
)

type factCase struct {
	name       string
	cond       string
	tx         *txn.Transaction
	facts      *txn.Facts
	wantMatch  bool
	wantDetail string
}

func runFactCases(t *testing.T, tests []factCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, detail := evalCond(t, tt.cond, tt.tx, tt.facts)
			if ok != tt.wantMatch {
				t.Fatalf("%s matched = %v, want %v", tt.cond, ok, tt.wantMatch)
			}
			if detail != tt.wantDetail {
				t.Errorf("detail = %q, want %q", detail, tt.wantDetail)
			}
		})
	}
}

func TestAuthFacts(t *testing.T) {
	spfFail := &txn.Facts{SPF: txn.SPF{Result: "fail", Identity: "mailfrom", Domain: "example.com"}}
	dkim := &txn.Facts{DKIM: []txn.DKIM{{Result: "pass", Domain: "example.org"}, {Result: "fail", Domain: "example.com"}}}
	dmarc := &txn.Facts{DMARC: txn.DMARC{Result: "fail", Domain: "example.com", Policy: "reject"}}
	runFactCases(t, []factCase{
		{"spf equal", "{spf: fail}", nil, spfFail, true, "spf=fail"},
		{"spf list", "{spf: [softfail, fail]}", nil, spfFail, true, "spf=fail"},
		{"spf other", "{spf: pass}", nil, spfFail, false, ""},
		{"spf unset is not none", "{spf: none}", nil, &txn.Facts{}, false, ""},
		{"spf identity", "{spf_identity: mailfrom}", nil, spfFail, true, "spf_identity=mailfrom"},
		{"spf identity other", "{spf_identity: helo}", nil, spfFail, false, ""},
		{"dkim any signature", "{dkim: fail}", nil, dkim, true, "dkim=fail d=example.com"},
		{"dkim pass", "{dkim: pass}", nil, dkim, true, "dkim=pass d=example.org"},
		{"dkim none with signatures", "{dkim: none}", nil, dkim, false, ""},
		{"dkim none without signature", "{dkim: none}", nil, &txn.Facts{}, true, "dkim=none"},
		{"dkim fail without signature", "{dkim: fail}", nil, &txn.Facts{}, false, ""},
		{"dmarc", "{dmarc: fail}", nil, dmarc, true, "dmarc=fail"},
		{"dmarc policy", "{dmarc_policy: [quarantine, reject]}", nil, dmarc, true, "dmarc_policy=reject"},
		{"dmarc policy other", "{dmarc_policy: none}", nil, dmarc, false, ""},
		{"temperror named", "{temperror: dnsbl}", nil, &txn.Facts{Temperrors: []string{"spf", "dnsbl"}}, true, "temperror=dnsbl"},
		{"temperror any", `{temperror: "*"}`, nil, &txn.Facts{Temperrors: []string{"dkim"}}, true, "temperror=dkim"},
		{"temperror other", "{temperror: dmarc}", nil, &txn.Facts{Temperrors: []string{"spf"}}, false, ""},
		{"temperror none", `{temperror: "*"}`, nil, &txn.Facts{}, false, ""},
		{"dmarc requested", "{dmarc_requested: quarantine}", nil, &txn.Facts{DMARC: txn.DMARC{Result: "fail", Policy: "reject", Testing: true, Requested: "quarantine"}}, true, "dmarc_requested=quarantine"},
	})
}

func TestARCFacts(t *testing.T) {
	pass := &txn.Facts{ARC: txn.ARC{Result: "pass", Sealers: []string{"fwd.example.net", "Lists.Example.ORG."}, DMARC: "pass"}}
	fail := &txn.Facts{ARC: txn.ARC{Result: "fail", Sealers: []string{"lists.example.org"}}}
	runFactCases(t, []factCase{
		{"arc pass", "{arc: pass}", nil, pass, true, "arc=pass"},
		{"arc other", "{arc: [fail, temperror]}", nil, pass, false, ""},
		{"arc not checked", "{arc: none}", nil, &txn.Facts{}, false, ""},
		{"sealer of a passing chain, any case", "{arc_sealer: [lists.example.org]}", nil, pass, true, "arc_sealer=lists.example.org"},
		{"sealer as one value", "{arc_sealer: fwd.example.net}", nil, pass, true, "arc_sealer=fwd.example.net"},
		{"sealer not listed", "{arc_sealer: [other.example]}", nil, pass, false, ""},
		{"sealer of a failing chain vouches for nothing", "{arc_sealer: [lists.example.org]}", nil, fail, false, ""},
		{"the sealer saw dmarc pass", "{arc_dmarc: pass}", nil, pass, true, "arc_dmarc=pass"},
	})
}

func TestListFacts(t *testing.T) {
	facts := &txn.Facts{Lists: []txn.ListHit{
		{List: "national", Kind: "block", Target: "127.0.0.9", Sources: []string{"client"}, Entry: "127.0.0.0/24"},
		{List: "partners", Kind: "allow", Target: "a@partner.example.com", Sources: []string{"mail_from"}, Entry: "partner.example.com"},
	}}
	runFactCases(t, []factCase{
		{"any block list", `{blocklist: "*"}`, nil, facts, true, "national: 127.0.0.9 (client) entry 127.0.0.0/24"},
		{"named block list", "{blocklist: [other, national]}", nil, facts, true, "national: 127.0.0.9 (client) entry 127.0.0.0/24"},
		{"allow list is no block list", "{blocklist: partners}", nil, facts, false, ""},
		{"allow list", "{allowlist: partners}", nil, facts, true, "partners: a@partner.example.com (mail_from) entry partner.example.com"},
		{"no hits", `{allowlist: "*"}`, nil, &txn.Facts{}, false, ""},
	})
}

func TestDNSBLFacts(t *testing.T) {
	ans := []netip.Addr{netip.MustParseAddr("127.0.0.2"), netip.MustParseAddr("127.0.0.4")}
	facts := &txn.Facts{DNSBL: []txn.DNSBL{
		{Zone: "blocked.example.test", Blocked: true, Result: "blocked", Answers: []netip.Addr{netip.MustParseAddr("127.255.255.254")}},
		{Zone: "quiet.example.test", Result: "notlisted"},
		{Zone: "Zen.Example.Test", Sources: []string{"client"}, Listed: true, Result: "listed", Answers: ans, Tags: []string{"sbl", "xbl"}},
		{Zone: "dbl.example.test", Target: "example.com", Sources: []string{"mail_from", "url"}, Listed: true, Result: "listed", Answers: ans[:1]},
		{Zone: "uribl.example.test", Target: "example.org", Sources: []string{"email"}, Listed: true, Result: "listed", Answers: ans[1:]},
		{Zone: "uri2.example.test", Target: "example.com", Sources: []string{"url"}, Listed: true, Result: "listed", Answers: ans[:1]},
	}}
	runFactCases(t, []factCase{
		{"zone listed, case and dot insensitive", "{dnsbl: zen.example.test.}", nil, facts, true, "Zen.Example.Test=127.0.0.2,127.0.0.4"},
		{"any zone", `{dnsbl: "*"}`, nil, facts, true, "Zen.Example.Test=127.0.0.2,127.0.0.4"},
		{"zone not listing", "{dnsbl: quiet.example.test}", nil, facts, false, ""},
		{"domain listing is no client listing", "{dnsbl: dbl.example.test}", nil, facts, false, ""},
		{"rhsbl", `{rhsbl: "*"}`, nil, facts, true, "dbl.example.test=127.0.0.2 (example.com from mail_from,url)"},
		{"uribl skips a domain the header has too", `{uribl: "*"}`, nil, facts, true, "uribl.example.test=127.0.0.4 (example.org from email)"},
		{"uribl of a header domain only", "{uribl: dbl.example.test}", nil, facts, false, ""},
		{"uribl of a domain another zone has from the header", "{uribl: uri2.example.test}", nil, facts, false, ""},
		{"uribl by zone", "{uribl: uribl.example.test}", nil, facts, true, "uribl.example.test=127.0.0.4 (example.org from email)"},
		{"rhsbl of a body-only zone", "{rhsbl: uribl.example.test}", nil, facts, false, ""},
		{"blocked zone is no listing", "{dnsbl: blocked.example.test}", nil, facts, false, ""},
		{"unknown zone", "{dnsbl: other.example.test}", nil, facts, false, ""},
		{"no zones", `{dnsbl: "*"}`, nil, &txn.Facts{}, false, ""},
		{"tag with zone", `{dnsbl_tag: "zen.example.test:xbl"}`, nil, facts, true, "Zen.Example.Test:xbl"},
		{"bare tag", "{dnsbl_tag: SBL}", nil, facts, true, "Zen.Example.Test:SBL"},
		{"tag of other zone", `{dnsbl_tag: "quiet.example.test:sbl"}`, nil, facts, false, ""},
		{"absent tag", "{dnsbl_tag: pbl}", nil, facts, false, ""},
		{"blocked", "{dnsbl_blocked: blocked.example.test}", nil, facts, true, "blocked.example.test blocked"},
		{"blocked any", `{dnsbl_blocked: "*"}`, nil, facts, true, "blocked.example.test blocked"},
		{"listing zone is not blocked", "{dnsbl_blocked: zen.example.test}", nil, facts, false, ""},
		{"result", "{dnsbl_result: notlisted}", nil, facts, true, "quiet.example.test=notlisted"},
		{"result absent", "{dnsbl_result: temperror}", nil, facts, false, ""},
	})
}

func TestClientIPFact(t *testing.T) {
	conn := func(ip string) *txn.Transaction {
		tx := &txn.Transaction{}
		if ip != "" {
			tx.Conn.ClientIP = netip.MustParseAddr(ip)
		}
		return tx
	}
	runFactCases(t, []factCase{
		{"IPv4 prefix", "{client_ip: 127.0.0.0/8}", conn("127.0.0.2"), nil, true, "client_ip 127.0.0.0/8"},
		{"IPv4 address", "{client_ip: [127.0.0.9, 127.0.0.1]}", conn("127.0.0.1"), nil, true, "client_ip 127.0.0.1"},
		{"IPv4 outside", "{client_ip: 127.0.0.0/16}", conn("127.1.0.1"), nil, false, ""},
		{"host bits ignored", "{client_ip: 127.0.0.1/8}", conn("127.9.9.9"), nil, true, "client_ip 127.0.0.1/8"},
		{"IPv6", `{client_ip: "::1"}`, conn("::1"), nil, true, "client_ip ::1"},
		{"IPv6 prefix", `{client_ip: "::/127"}`, conn("::1"), nil, true, "client_ip ::/127"},
		{"mapped client", "{client_ip: 127.0.0.1}", conn("::ffff:127.0.0.1"), nil, true, "client_ip 127.0.0.1"},
		{"mapped rule prefix", `{client_ip: "::ffff:127.0.0.0/104"}`, conn("127.1.2.3"), nil, true, "client_ip ::ffff:127.0.0.0/104"},
		{"IPv4 rule, IPv6 client", "{client_ip: 127.0.0.0/8}", conn("::1"), nil, false, ""},
		{"unknown client", "{client_ip: 127.0.0.0/8}", conn(""), nil, false, ""},
	})
}

func TestTextFacts(t *testing.T) {
	tx := &txn.Transaction{
		Conn:     txn.Conn{HELO: "Mail.Example.COM", ClientName: "unknown"},
		MailFrom: "bounce@example.net",
		Rcpts:    []string{"a@example.org", "postmaster@example.org"},
		AuthUser: "alice",
	}
	facts := &txn.Facts{Subject: "Cheap Offer", FromAddresses: []string{"news@example.com"}}
	runFactCases(t, []factCase{
		{"helo case-insensitive", `{helo: "^mail\\.example\\.com$"}`, tx, facts, true, `helo ~ /^mail\.example\.com$/`},
		{"helo case-sensitive", `{helo: "(?-i)^mail\\."}`, tx, facts, false, ""},
		{"helo unanchored", "{helo: example}", tx, facts, true, "helo ~ /example/"},
		{"client name", "{client_name: ^unknown$}", tx, facts, true, "client_name ~ /^unknown$/"},
		{"mail from", `{mail_from: "@example\\.net$"}`, tx, facts, true, `mail_from ~ /@example\.net$/`},
		{"null sender", `{mail_from: "^$"}`, &txn.Transaction{}, nil, true, "mail_from ~ /^$/"},
		{"rcpt any", "{rcpt: [nobody, ^postmaster@]}", tx, facts, true, "rcpt ~ /^postmaster@/"},
		{"rcpt none", "{rcpt: .}", &txn.Transaction{}, nil, false, ""},
		{"subject", "{subject: cheap offer}", tx, facts, true, "subject ~ /cheap offer/"},
		{"subject miss", "{subject: free}", tx, facts, false, ""},
		{"auth user", "{auth_user: ^alice$}", tx, facts, true, "auth_user ~ /^alice$/"},
		{"from any address", `{from: "@example\\.com$"}`, tx, facts, true, `from ~ /@example\.com$/`},
		{"from none", "{from: .}", tx, &txn.Facts{}, false, ""},
	})
}

func TestHeaderFact(t *testing.T) {
	tx := &txn.Transaction{Headers: []txn.Header{
		{Name: "X-Mailer", Value: " BulkMailer 2.0"},
		{Name: "Received", Value: " from a"},
		{Name: "received", Value: " from b"},
	}}
	runFactCases(t, []factCase{
		{"match trims leading space", `{header: {name: x-mailer, match: "^bulkmailer"}}`, tx, nil, true, "header x-mailer ~ /^bulkmailer/"},
		{"match any of several", `{header: {name: Received, match: "^from b$"}}`, tx, nil, true, "header Received ~ /^from b$/"},
		{"no match", `{header: {name: X-Mailer, match: "^Outlook"}}`, tx, nil, false, ""},
		{"exists", "{header: {name: X-MAILER, exists: true}}", tx, nil, true, "header X-MAILER present"},
		{"exists absent", "{header: {name: List-Unsubscribe, exists: true}}", tx, nil, false, ""},
		{"not exists", "{header: {name: List-Unsubscribe, exists: false}}", tx, nil, true, "header List-Unsubscribe absent"},
		{"not exists present", "{header: {name: Received, exists: false}}", tx, nil, false, ""},
		{"list means any", "{header: [{name: X-Foo, exists: true}, {name: Received, exists: true}]}", tx, nil, true, "header Received present"},
	})
}

func TestSizeAndAuthFacts(t *testing.T) {
	// Without headers Size is 2 (the empty line) plus the body.
	sized := func(total int) *txn.Transaction {
		body := txn.NewSpool(0, "")
		if _, err := body.Write([]byte(strings.Repeat("x", total-2))); err != nil {
			t.Fatal(err)
		}
		return &txn.Transaction{Body: body}
	}
	runFactCases(t, []factCase{
		{"over KiB", "{size_over: 10KiB}", sized(10241), nil, true, "size_over 10KiB"},
		{"not over at limit", "{size_over: 10KiB}", sized(10240), nil, false, ""},
		{"over kB", "{size_over: 10kB}", sized(10001), nil, true, "size_over 10kB"},
		{"over plain integer", "{size_over: 100}", sized(101), nil, true, "size_over 100"},
		{"over MiB with space", `{size_over: "1 MiB"}`, sized(1<<20 + 1), nil, true, "size_over 1 MiB"},
		{"over fractional MB", "{size_over: 0.5MB}", sized(500001), nil, true, "size_over 0.5MB"},
		{"under", "{size_under: 1KiB}", sized(1023), nil, true, "size_under 1KiB"},
		{"not under at limit", "{size_under: 1KiB}", sized(1024), nil, false, ""},
		{"authenticated", "{authenticated: true}", &txn.Transaction{AuthUser: "alice"}, nil, true, "authenticated=true"},
		{"not authenticated", "{authenticated: false}", &txn.Transaction{}, nil, true, "authenticated=false"},
		{"authenticated mismatch", "{authenticated: true}", &txn.Transaction{}, nil, false, ""},
	})
}

func TestFactNamesRegistry(t *testing.T) {
	names := strings.Join(FactNames(), " ")
	for _, want := range []string{"spf", "spf_identity", "dkim", "dmarc", "dmarc_policy", "dnsbl", "dnsbl_tag",
		"dnsbl_blocked", "dnsbl_result", "client_ip", "helo", "client_name", "mail_from", "rcpt", "subject",
		"auth_user", "from", "header", "size_over", "size_under", "authenticated", "temperror"} {
		if !strings.Contains(" "+names+" ", " "+want+" ") {
			t.Errorf("fact %q not registered (have %s)", want, names)
		}
	}
}

func TestWithFactRefusesBadNames(t *testing.T) {
	ok := func(Value) (Matcher, error) { return nil, nil }
	for _, name := range []string{"", "all", "not", "Bad", "spf", "a..b"} {
		t.Run(name, func(t *testing.T) {
			if set, err := Compile(nil, WithFact(name, ok)); err == nil || set != nil {
				t.Errorf("Compile with the extra fact %q = %v, %v; want an error", name, set, err)
			}
		})
	}
	if _, err := Compile(nil, WithFact("test.nil", nil)); err == nil {
		t.Error("an extra fact without a compiler was accepted")
	}
}

func TestExtraFactIsUsable(t *testing.T) {
	always := WithFact("test.always", func(v Value) (Matcher, error) {
		want, err := v.Text()
		if err != nil {
			return nil, err
		}
		return func(in *Input) (Hit, bool) { return Hit{Detail: "always " + want}, in.Facts.Subject == want }, nil
	})
	set, err := Compile([]Source{condRule("{test.always: hello}")}, always)
	if err != nil {
		t.Fatal(err)
	}
	v := set.Evaluate(nil, &txn.Facts{Subject: "hello"})
	if len(v.Matches) != 1 || v.Matches[0].Detail != "always hello" {
		t.Errorf("extra fact: matches %+v, want one with detail %q", v.Matches, "always hello")
	}
	_, err = Compile([]Source{condRule("{test.always: [x]}")}, always)
	checkErrors(t, err, []string{"r.yml:5:25|want a string, got a list"})
	// The extra fact belongs to that Compile only.
	_, err = Compile([]Source{condRule("{test.always: hello}")})
	checkErrors(t, err, []string{`r.yml:5:12|unknown fact "test.always"`})
}

func TestBayesFacts(t *testing.T) {
	set := mustCompile(t, src("rules:",
		"  - {id: B_SPAM, ref: x, score: 1, when: {bayes: [spam, temperror]}}",
		"  - {id: B_RANGE, ref: x, score: 1, when: {bayes_probability: [0.2, 0.8]}}"))
	for _, tc := range []struct {
		b    txn.Bayes
		want string
	}{
		{txn.Bayes{Result: "spam", Probability: 0.99}, "B_SPAM"},
		{txn.Bayes{Result: "temperror", Probability: 0.5}, "B_SPAM"},
		{txn.Bayes{Result: "unsure", Probability: 0.2}, "B_RANGE"},
		{txn.Bayes{Result: "unsure", Probability: 0.8}, "B_RANGE"},
		{txn.Bayes{Result: "ham", Probability: 0.19}, ""},
		{txn.Bayes{Result: "none", Probability: 0.5}, ""},
		{txn.Bayes{}, ""},
	} {
		v := set.Evaluate(&txn.Transaction{}, &txn.Facts{Bayes: tc.b})
		if got := strings.Join(v.RuleIDs(), " "); got != tc.want {
			t.Errorf("%+v: rules %q, want %q", tc.b, got, tc.want)
		}
	}
	for _, bad := range []string{`[0.5]`, `[0.9, 0.1]`, `[0, 2]`, `spam`} {
		_, err := Compile([]Source{src("rules:", "  - {id: B, ref: x, score: 1, when: {bayes_probability: "+bad+"}}")})
		if err == nil {
			t.Errorf("bayes_probability: %s compiled", bad)
		}
	}
	if _, err := Compile([]Source{src("rules:", "  - {id: B, ref: x, score: 1, when: {bayes: maybe}}")}); err == nil {
		t.Error("bayes: maybe compiled")
	}
}
