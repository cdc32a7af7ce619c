package engine_test

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"milter91/decree/stage"
	"milter91/internal/engine"
	"milter91/internal/resolver"
	"milter91/internal/txn"
	"milter91/rules"
)

func TestNewRequiresResolverAndRules(t *testing.T) {
	set := compile(t)
	tests := []struct {
		name string
		opt  engine.Options
	}{
		{name: "no resolver", opt: engine.Options{Rules: set}},
		{name: "no rules", opt: engine.Options{Resolver: &resolver.Fake{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if e, err := engine.New(tc.opt); err == nil || e != nil {
				t.Errorf("New = %v, %v; want nil and an error", e, err)
			}
		})
	}
}

func TestSkipAuthenticated(t *testing.T) {
	tests := []struct {
		name     string
		skip     bool
		authUser string
		checked  bool // checks ran
		spfFail  bool // SPF_FAIL matched
	}{
		{name: "skipped", skip: true, authUser: "alice"},
		{name: "not authenticated", skip: true, checked: true, spfFail: true},
		// Checks run, but the shipped rules judge only unauthenticated mail.
		{name: "skip off", skip: false, authUser: "alice", checked: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := dns("v=spf1 -all", "")
			e := newEngine(t, engine.Options{Resolver: res, SkipAuthenticated: tc.skip})
			// A forged result claiming our authserv-id goes in every case.
			tr := transaction(t, "Authentication-Results: mx.example.net; dkim=pass header.d=example.com\r\n"+plainMessage)
			tr.AuthUser = tc.authUser
			out := mustEvaluate(t, e, tr)
			if ran := res.Queries() > 0; ran != tc.checked {
				t.Errorf("DNS queries %d, want checks run = %v", res.Queries(), tc.checked)
			}
			if ran := out.Facts.SPF.Result != ""; ran != tc.checked {
				t.Errorf("SPF fact %+v, want checks run = %v", out.Facts.SPF, tc.checked)
			}
			if matched(out.Verdict, "SPF_FAIL") != tc.spfFail {
				t.Errorf("rules %v, want SPF_FAIL = %v", out.Verdict.RuleIDs(), tc.spfFail)
			}
			if !tc.checked && out.Verdict.Action != txn.ActionAccept {
				t.Errorf("skipped message got %v, want accept", out.Verdict.Action)
			}
			del := edits(out, txn.EditDelete, "Authentication-Results")
			if len(del) != 1 || del[0].Index != 1 {
				t.Errorf("Authentication-Results deletes %+v, want the forged one (#1)", del)
			}
			if ins := edits(out, txn.EditInsert, "Authentication-Results"); len(ins) != btoi(tc.checked) {
				t.Errorf("Authentication-Results inserts %+v, want %d (one when checked)", ins, btoi(tc.checked))
			}
			if _, ok := out.Facts.Durations["total"]; !ok {
				t.Errorf("Durations %v, want a total", out.Facts.Durations)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestDNSTemperrorIsAFact(t *testing.T) {
	key := testKey(t)
	signed := signDKIM(t, key, senderDom, plainMessage)
	tests := []struct {
		name  string
		fail  string // name whose lookups SERVFAIL
		check string // in Facts.Temperrors
		rule  string // rule that must match, "" for none
	}{
		{name: "spf", fail: senderDom, check: "spf", rule: "SPF_TEMPERROR"},
		{name: "dkim key", fail: selector + "._domainkey." + senderDom, check: "dkim"},
		{name: "dmarc record", fail: "_dmarc." + senderDom, check: "dmarc"},
		{name: "dnsbl", fail: blQuery, check: "dnsbl"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := dns("v=spf1 ip4:127.0.0.0/8 -all", "v=DMARC1; p=reject")
			res.TXT[selector+"._domainkey."+senderDom] = []string{keyRecord(t, key)}
			res.Errors[tc.fail] = resolver.Temporary(tc.fail, "SERVFAIL", false)
			e := newEngine(t, engine.Options{Resolver: res, DNSBL: checker(t, false)})
			out, err := evaluate(t, e, transaction(t, signed))
			if err != nil || len(out.Facts.CheckErrors) != 0 {
				t.Fatalf("Evaluate error %v, CheckErrors %v; a DNS error is not a fault", err, out.Facts.CheckErrors)
			}
			if !slices.Equal(out.Facts.Temperrors, []string{tc.check}) {
				t.Errorf("Temperrors %v, want [%s]", out.Facts.Temperrors, tc.check)
			}
			if tc.rule != "" && !matched(out.Verdict, tc.rule) {
				t.Errorf("rules %v, want %s", out.Verdict.RuleIDs(), tc.rule)
			}
			if out.Verdict.Action == txn.ActionReject {
				t.Errorf("a temperror rejected the message: %v", out.Verdict.Reply)
			}
		})
	}
}

// panicky is a Fake whose lookups of the names in txt (TXT) or a (A) panic.
type panicky struct {
	resolver.Fake
	txt, a string
}

func (p *panicky) LookupTXT(ctx context.Context, name string) ([]string, error) {
	if strings.EqualFold(strings.TrimSuffix(name, "."), p.txt) {
		panic("test: LookupTXT " + name)
	}
	return p.Fake.LookupTXT(ctx, name)
}

func (p *panicky) LookupA(ctx context.Context, name string) ([]netip.Addr, error) {
	if strings.EqualFold(strings.TrimSuffix(name, "."), p.a) {
		panic("test: LookupA " + name)
	}
	return p.Fake.LookupA(ctx, name)
}

func TestPanickingCheck(t *testing.T) {
	key := testKey(t)
	signed := signDKIM(t, key, senderDom, plainMessage)
	tests := []struct {
		name   string
		txt, a string
		faults []string // FaultError.Checks; nil: no fault
		temp   []string // Temperrors when there is no fault
	}{
		{name: "spf record", txt: senderDom, faults: []string{"spf"}},
		{name: "dkim key", txt: selector + "._domainkey." + senderDom, faults: []string{"dkim"}},
		{name: "dmarc record", txt: "_dmarc." + senderDom, faults: []string{"dmarc"}},
		// dnsbl.Check recovers its own lookups' panics into temperror facts.
		{name: "dnsbl", a: blQuery, temp: []string{"dnsbl"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := &panicky{txt: tc.txt, a: tc.a}
			res.TXT = map[string][]string{
				senderDom:                             {"v=spf1 ip4:127.0.0.0/8 -all"},
				"_dmarc." + senderDom:                 {"v=DMARC1; p=none"},
				selector + "._domainkey." + senderDom: {keyRecord(t, key)},
			}
			e := newEngine(t, engine.Options{Resolver: res, DNSBL: checker(t, false)})
			out, err := evaluate(t, e, transaction(t, signed))
			var fe *engine.FaultError
			if tc.faults == nil {
				if err != nil || !slices.Equal(out.Facts.Temperrors, tc.temp) {
					t.Errorf("error %v, temperrors %v; want no fault, temperrors %v", err, out.Facts.Temperrors, tc.temp)
				}
				return
			}
			if !errors.As(err, &fe) {
				t.Fatalf("error %v (%T), want *engine.FaultError", err, err)
			}
			if !slices.Equal(fe.Checks, tc.faults) || !slices.Equal(out.Facts.CheckErrors, tc.faults) {
				t.Errorf("FaultError.Checks %v, CheckErrors %v, want %v", fe.Checks, out.Facts.CheckErrors, tc.faults)
			}
			if !strings.Contains(err.Error(), tc.faults[0]) {
				t.Errorf("error %q does not name %s", err, tc.faults[0])
			}
		})
	}
}

func TestQueryCountAndDurations(t *testing.T) {
	res := dns("v=spf1 ip4:127.0.0.0/8 -all", "v=DMARC1; p=none")
	e := newEngine(t, engine.Options{Resolver: res, DNSBL: checker(t, false)})
	out := mustEvaluate(t, e, transaction(t, plainMessage))
	// SPF record, DMARC record, one blocklist query: at least 3.
	if out.Facts.DNSQueries < 3 || out.Facts.DNSQueries != res.Queries() {
		t.Errorf("DNSQueries %d, resolver saw %d; want the same, at least 3", out.Facts.DNSQueries, res.Queries())
	}
	for _, name := range []string{"spf", "dkim", "dmarc", "dnsbl", "rules", "total"} {
		if d, ok := out.Facts.Durations[name]; !ok || d < 0 {
			t.Errorf("Durations[%s] = %v, %v; want set", name, d, ok)
		}
	}
	if total := out.Facts.Durations["total"]; total < out.Facts.Durations["rules"] {
		t.Errorf("total %v shorter than rules %v", total, out.Facts.Durations["rules"])
	}
}

func TestFactsFromHeaders(t *testing.T) {
	tests := []struct {
		name    string
		from    string
		subject string
		addrs   []string
		decoded string
	}{
		{name: "plain", from: "Alice <alice@Example.COM>", subject: "hello", addrs: []string{"alice@example.com"}, decoded: "hello"},
		{name: "RFC 2047 subject", from: "a@example.com, b@example.org", subject: "=?UTF-8?B?eGluIGNow6Bv?=",
			addrs: []string{"a@example.com", "b@example.org"}, decoded: "xin chào"},
		{name: "unparsable From", from: "not an address", subject: "", addrs: nil, decoded: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := "From: " + tc.from + "\r\nSubject: " + tc.subject + "\r\n\r\nbody\r\n"
			e := newEngine(t, engine.Options{Resolver: dns("", "")})
			out := mustEvaluate(t, e, transaction(t, msg))
			if !slices.Equal(out.Facts.FromAddresses, tc.addrs) || out.Facts.Subject != tc.decoded {
				t.Errorf("From %q Subject %q, want %q %q", out.Facts.FromAddresses, out.Facts.Subject, tc.addrs, tc.decoded)
			}
		})
	}
}

// The fact test.panic compiles to a matcher that panics: a bug in a rule
// fact must become a fault, not a crash or a silent accept.
var panicFact = rules.WithFact("test.panic", func(rules.Value) (rules.Matcher, error) {
	return func(*rules.Input) (rules.Hit, bool) { panic("test: matcher") }, nil
})

func TestPanickingRule(t *testing.T) {
	set, err := rules.Compile(append(rules.Defaults(), rules.Source{Name: "panic.yml", Data: []byte(`rules:
  - {id: TEST_PANIC, ref: local policy, score: 1, when: {test.panic: true}}
`)}), panicFact)
	if err != nil {
		t.Fatal(err)
	}
	e := newEngine(t, engine.Options{Resolver: dns("v=spf1 ip4:127.0.0.0/8 -all", ""), Rules: set})
	out, err := evaluate(t, e, transaction(t, plainMessage))
	if err == nil || !strings.Contains(err.Error(), "rules") {
		t.Errorf("error %v, want one naming the rules", err)
	}
	if !slices.Contains(out.Facts.CheckErrors, "rules") {
		t.Errorf("CheckErrors %v, want rules", out.Facts.CheckErrors)
	}
	var fe *engine.FaultError
	if errors.As(err, &fe) && !slices.Contains(fe.Checks, "rules") {
		t.Errorf("FaultError.Checks %v, want rules", fe.Checks)
	}
}

// cancelOnKey answers TXT lookups from its Fake and ends the message's
// context once it has answered the DKIM key: the deadline passes while
// DKIM reads the body.
type cancelOnKey struct {
	resolver.Fake
	key    string
	cancel context.CancelFunc
}

func (c *cancelOnKey) LookupTXT(ctx context.Context, name string) ([]string, error) {
	v, err := c.Fake.LookupTXT(ctx, name)
	if strings.EqualFold(strings.TrimSuffix(name, "."), c.key) {
		c.cancel()
	}
	return v, err
}

// When the context ends while the checks run, Evaluate returns its error
// (the caller's deadline fault), not a check failure: DKIM stops reading
// the body without a panic, the Decree 91 stage and the rules do not run.
func TestEvaluateStopsAtContextEnd(t *testing.T) {
	key := testKey(t)
	body := strings.Repeat("Hello Bob, this is a long letter.\r\n", 100_000)
	signed := signDKIM(t, key, senderDom, strings.Replace(plainMessage, "Hello Bob.\r\n", body, 1))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	keyName := selector + "._domainkey." + senderDom
	res := &cancelOnKey{key: keyName, cancel: cancel}
	res.TXT = map[string][]string{keyName: {keyRecord(t, key)}}
	var logs strings.Builder
	reg := newFakeRegistry()
	e := newEngine(t, engine.Options{Resolver: res, Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Decree: stage.New(stage.Options{Analyzer: fakeAnalyzer{a: completeAd}, Registry: reg})})
	out, err := e.Evaluate(ctx, transaction(t, signed))
	var fe *engine.FaultError
	if !errors.Is(err, context.Canceled) || errors.As(err, &fe) {
		t.Fatalf("error %v, want the context's, not a fault", err)
	}
	if len(out.Facts.CheckErrors) != 0 || len(out.Facts.DKIM) != 0 || strings.Contains(logs.String(), "check failed") {
		t.Errorf("check errors %v, DKIM facts %+v, log %q: want none", out.Facts.CheckErrors, out.Facts.DKIM, logs.String())
	}
	if out.Facts.Decree.Advertising || reg.calls != 0 || len(out.Verdict.Matches) != 0 {
		t.Errorf("decree %+v, %d registry calls, rules %v: want none after the context ended",
			out.Facts.Decree, reg.calls, out.Verdict.RuleIDs())
	}
}
