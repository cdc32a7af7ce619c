package dnsbl_test

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"milter91/dnsbl"
	"milter91/internal/resolver"
	"milter91/internal/txn"
)

// client is the address most tests ask about (the RFC 5782 §5 test
// entry); clientQuery is its name in zone bl.example.test (RFC 5782 §2.1).
var client = netip.MustParseAddr("127.0.0.2")

const clientQuery = "2.0.0.127.bl.example.test"

var zen = []dnsbl.CodeMap{
	{Tag: "sbl", Match: "127.0.0.2"},
	{Tag: "pbl", Match: "127.0.0.10/31"},
	{Tag: "phish", Bitmask: 8},
}

const (
	listed    = dnsbl.ResultListed
	notlisted = dnsbl.ResultNotListed
	blocked   = dnsbl.ResultBlocked
)

// answerCase: zone bl.example.test (secret) with codes and errorCodes
// returns answers for the client; want is the expected fact.
type answerCase struct {
	name       string
	codes      []dnsbl.CodeMap
	errorCodes []string
	answers    []string
	want       wantFact
}

type wantFact struct {
	result  string
	tags    []string
	answers []string
	detail  string // substring; "" means Detail must be empty
}

func runAnswerCases(t *testing.T, cases []answerCase) {
	t.Helper()
	for _, c := range cases {
		zones := compile(t, dnsbl.ZoneConfig{Name: "bl.example.test", Secret: true, Codes: c.codes, ErrorCodes: c.errorCodes})
		r := &resolver.Fake{A: map[string][]netip.Addr{clientQuery: addrs(c.answers...)}}
		got := dnsbl.Check(context.Background(), r, zones, client)
		if len(got) != 1 {
			t.Fatalf("%s: %d facts, want 1", c.name, len(got))
		}
		f, w := got[0], c.want
		if f.Result != w.result || f.Listed != (w.result == listed) || f.Blocked != (w.result == blocked) {
			t.Errorf("%s: Result=%q Listed=%v Blocked=%v, want %q", c.name, f.Result, f.Listed, f.Blocked, w.result)
		}
		if !slices.Equal(f.Tags, w.tags) {
			t.Errorf("%s: Tags=%q, want %q", c.name, f.Tags, w.tags)
		}
		if !slices.Equal(f.Answers, addrs(w.answers...)) {
			t.Errorf("%s: Answers=%v, want %v", c.name, f.Answers, w.answers)
		}
		if (w.detail == "") != (f.Detail == "") || !strings.Contains(f.Detail, w.detail) {
			t.Errorf("%s: Detail=%q, want it to contain %q", c.name, f.Detail, w.detail)
		}
		if f.Zone != "bl.example.test" || f.Query != clientQuery || !f.Secret {
			t.Errorf("%s: Zone=%q Query=%q Secret=%v", c.name, f.Zone, f.Query, f.Secret)
		}
	}
}

func TestCheckCodeMapping(t *testing.T) {
	pbl := []dnsbl.CodeMap{{Tag: "pbl", Match: "127.0.0.10/31"}}
	phish := []dnsbl.CodeMap{{Tag: "phish", Bitmask: 8}}
	runAnswerCases(t, []answerCase{
		{name: "no mapping: any answer lists", answers: []string{"127.0.0.3"},
			want: wantFact{result: listed, answers: []string{"127.0.0.3"}}},
		{name: "exact", codes: zen, answers: []string{"127.0.0.2"},
			want: wantFact{result: listed, tags: []string{"sbl"}, answers: []string{"127.0.0.2"}}},
		{name: "cidr low", codes: pbl, answers: []string{"127.0.0.10"},
			want: wantFact{result: listed, tags: []string{"pbl"}, answers: []string{"127.0.0.10"}}},
		{name: "cidr high", codes: pbl, answers: []string{"127.0.0.11"},
			want: wantFact{result: listed, tags: []string{"pbl"}, answers: []string{"127.0.0.11"}}},
		{name: "below cidr", codes: pbl, answers: []string{"127.0.0.9"},
			want: wantFact{result: notlisted, answers: []string{"127.0.0.9"}, detail: "127.0.0.9 matches no code mapping"}},
		{name: "above cidr", codes: pbl, answers: []string{"127.0.0.12"},
			want: wantFact{result: notlisted, answers: []string{"127.0.0.12"}, detail: "127.0.0.12 matches no code mapping"}},
		{name: "bitmask alone", codes: zen, answers: []string{"127.0.0.8"},
			want: wantFact{result: listed, tags: []string{"phish"}, answers: []string{"127.0.0.8"}}},
		{name: "bitmask bit not set", codes: phish, answers: []string{"127.0.0.7"},
			want: wantFact{result: notlisted, answers: []string{"127.0.0.7"}, detail: "matches no code mapping"}},
		{name: "bitmask looks at the last octet only", codes: phish, answers: []string{"127.1.8.64"},
			want: wantFact{result: notlisted, answers: []string{"127.1.8.64"}, detail: "127.1.8.64 matches no code mapping"}},
		// 127.0.0.10 = 0b1010: inside the /31 and has bit 8, so both tags.
		{name: "cidr and bitmask on one answer", codes: zen, answers: []string{"127.0.0.10"},
			want: wantFact{result: listed, tags: []string{"pbl", "phish"}, answers: []string{"127.0.0.10"}}},
		{name: "bitmask multi", codes: []dnsbl.CodeMap{{Tag: "ph", Bitmask: 8}, {Tag: "mw", Bitmask: 16}, {Tag: "ab", Bitmask: 64}},
			answers: []string{"127.0.0.24"},
			want:    wantFact{result: listed, tags: []string{"ph", "mw"}, answers: []string{"127.0.0.24"}}},
		{name: "tags in mapping order, answers sorted", codes: zen, answers: []string{"127.0.0.11", "127.0.0.8", "127.0.0.2"},
			want: wantFact{result: listed, tags: []string{"sbl", "pbl", "phish"}, answers: []string{"127.0.0.2", "127.0.0.8", "127.0.0.11"}}},
		{name: "duplicate tags once", codes: []dnsbl.CodeMap{{Tag: "pbl", Match: "127.0.0.10"}, {Tag: "pbl", Match: "127.0.0.11"}},
			answers: []string{"127.0.0.10", "127.0.0.11"},
			want:    wantFact{result: listed, tags: []string{"pbl"}, answers: []string{"127.0.0.10", "127.0.0.11"}}},
		{name: "unmapped answer is not a listing", codes: zen, answers: []string{"127.0.0.4"},
			want: wantFact{result: notlisted, answers: []string{"127.0.0.4"}, detail: "127.0.0.4 matches no code mapping, not a listing"}},
		{name: "unmapped answers in address order", codes: zen, answers: []string{"127.0.0.5", "127.0.0.4"},
			want: wantFact{result: notlisted, answers: []string{"127.0.0.4", "127.0.0.5"}, detail: "answer 127.0.0.4,127.0.0.5 matches"}},
		{name: "unmapped next to mapped", codes: zen, answers: []string{"127.0.0.4", "127.0.0.2"},
			want: wantFact{result: listed, tags: []string{"sbl"}, answers: []string{"127.0.0.2", "127.0.0.4"}, detail: "127.0.0.4 matches no"}},
	})
}

func TestCheckErrorAnswersNeverList(t *testing.T) {
	runAnswerCases(t, []answerCase{
		{name: "spamhaus open resolver", codes: zen, answers: []string{"127.255.255.254"},
			want: wantFact{result: blocked, answers: []string{"127.255.255.254"}, detail: "error answer 127.255.255.254"}},
		{name: "spamhaus error without mapping", answers: []string{"127.255.255.252"},
			want: wantFact{result: blocked, answers: []string{"127.255.255.252"}, detail: "error answer"}},
		{name: "dbl ip queries prohibited", answers: []string{"127.0.1.255"},
			want: wantFact{result: blocked, answers: []string{"127.0.1.255"}, detail: "error answer 127.0.1.255"}},
		{name: "zone error code", errorCodes: []string{"127.0.0.255"}, answers: []string{"127.0.0.255"},
			want: wantFact{result: blocked, answers: []string{"127.0.0.255"}, detail: "error answer 127.0.0.255"}},
		{name: "zone error cidr inside a broad mapping", codes: []dnsbl.CodeMap{{Tag: "any", Match: "127.0.0.0/8"}},
			errorCodes: []string{"127.0.2.0/24"}, answers: []string{"127.0.2.9"},
			want: wantFact{result: blocked, answers: []string{"127.0.2.9"}, detail: "error answer 127.0.2.9"}},
		{name: "error wins over listing", codes: zen, answers: []string{"127.0.0.2", "127.255.255.255"},
			want: wantFact{result: blocked, answers: []string{"127.0.0.2", "127.255.255.255"}, detail: "result not trusted"}},
	})
}

func TestCheckIgnoredAnswers(t *testing.T) {
	// 192.0.2.1 (RFC 5737 documentation range) stands for a wildcarding
	// resolver's answer; it is only a value here.
	runAnswerCases(t, []answerCase{
		{name: "outside 127/8 ignored", answers: []string{"192.0.2.1"},
			want: wantFact{result: notlisted, detail: "ignored answer 192.0.2.1 outside 127.0.0.0/8"}},
		{name: "outside 127/8 next to listing", codes: zen, answers: []string{"192.0.2.1", "127.0.0.2"},
			want: wantFact{result: listed, tags: []string{"sbl"}, answers: []string{"127.0.0.2"}, detail: "ignored answer 192.0.2.1"}},
		{name: "ipv6 answer ignored", answers: []string{"::1"},
			want: wantFact{result: notlisted, detail: "ignored answer ::1"}},
		{name: "ipv4-mapped answer", codes: zen, answers: []string{"::ffff:127.0.0.2"},
			want: wantFact{result: listed, tags: []string{"sbl"}, answers: []string{"127.0.0.2"}}},
	})
}

func TestCheckLookupErrors(t *testing.T) {
	test := func(name string, err error, wantResult, wantDetail string) {
		t.Helper()
		zones := compile(t, dnsbl.ZoneConfig{Name: "bl.example.test"})
		r := &resolver.Fake{Errors: map[string]error{}}
		if err != nil {
			r.Errors[clientQuery] = err
		}
		got := dnsbl.Check(context.Background(), r, zones, client)
		if len(got) != 1 || got[0].Result != wantResult || !strings.Contains(got[0].Detail, wantDetail) ||
			got[0].Listed || got[0].Blocked || got[0].Answers != nil {
			t.Errorf("%s: got %+v, want Result %q Detail ~%q", name, got, wantResult, wantDetail)
		}
	}
	test("nxdomain (no record)", nil, dnsbl.ResultNotListed, "")
	test("nxdomain", resolver.NotFound(clientQuery), dnsbl.ResultNotListed, "")
	test("servfail", resolver.Temporary(clientQuery, "SERVFAIL", false), txn.ResultTemperror, "SERVFAIL")
	test("timeout", resolver.Temporary(clientQuery, "i/o timeout", true), txn.ResultTemperror, "i/o timeout")
	test("refused", errors.New("REFUSED"), txn.ResultTemperror, "REFUSED")
}

func TestCheckPanicIsTemperror(t *testing.T) {
	zones := compile(t, dnsbl.ZoneConfig{Name: "a.example.test"}, dnsbl.ZoneConfig{Name: "b.example.test"})
	r := newHook(func(_ context.Context, name string) ([]netip.Addr, error) {
		if strings.HasSuffix(name, ".a.example.test.") {
			panic("boom")
		}
		return addrs("127.0.0.2"), nil
	})
	got := dnsbl.Check(context.Background(), r, zones, client)
	if len(got) != 2 || got[0].Result != txn.ResultTemperror || !strings.Contains(got[0].Detail, "panic: boom") ||
		got[1].Result != dnsbl.ResultListed {
		t.Errorf("got %+v", got)
	}
}

func TestCheckAddressFamilies(t *testing.T) {
	zones := compile(t,
		dnsbl.ZoneConfig{Name: "v4.example.test"},
		dnsbl.ZoneConfig{Name: "v6.example.test", IPv6: true},
	)
	nibbles := "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	test := func(ip netip.Addr, wantZones, wantQueries []string) {
		t.Helper()
		r := newHook(func(_ context.Context, name string) ([]netip.Addr, error) {
			return nil, resolver.NotFound(name)
		})
		got := dnsbl.Check(context.Background(), r, zones, ip)
		var gotZones, gotQueries []string
		for _, f := range got {
			gotZones = append(gotZones, f.Zone)
			gotQueries = append(gotQueries, f.Query)
			if f.Result != dnsbl.ResultNotListed {
				t.Errorf("%v: %s: Result %q", ip, f.Zone, f.Result)
			}
		}
		if !slices.Equal(gotZones, wantZones) || !slices.Equal(gotQueries, wantQueries) {
			t.Errorf("%v: zones %q queries %q; want %q %q", ip, gotZones, gotQueries, wantZones, wantQueries)
		}
	}
	test(netip.MustParseAddr("127.0.0.1"), []string{"v4.example.test", "v6.example.test"},
		[]string{"1.0.0.127.v4.example.test", "1.0.0.127.v6.example.test"})
	test(netip.MustParseAddr("::ffff:127.0.0.1"), []string{"v4.example.test", "v6.example.test"},
		[]string{"1.0.0.127.v4.example.test", "1.0.0.127.v6.example.test"})
	test(netip.MustParseAddr("::1"), []string{"v6.example.test"}, []string{nibbles + "v6.example.test"})
	test(netip.Addr{}, nil, nil)
}

func TestCheckInvalidIPAsksNothing(t *testing.T) {
	r := &resolver.Fake{}
	got := dnsbl.Check(context.Background(), r, compile(t, dnsbl.ZoneConfig{Name: "bl.example.test"}), netip.Addr{})
	if len(got) != 0 || r.Queries() != 0 {
		t.Errorf("got %d facts after %d queries, want none", len(got), r.Queries())
	}
}
