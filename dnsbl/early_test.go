package dnsbl_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"milter91/dnsbl"
	"milter91/internal/resolver"
)

func TestCheckerEarly(t *testing.T) {
	zones := compile(t,
		dnsbl.ZoneConfig{Name: "late.example.test"},
		dnsbl.ZoneConfig{Name: "early.example.test", Early: dnsbl.EarlyReject},
	)
	r := &resolver.Fake{A: map[string][]netip.Addr{
		"9.0.0.127.late.example.test":   addrs("127.0.0.2"),
		"10.0.0.127.early.example.test": addrs("127.0.0.2"),
	}}
	c := newChecker(t, zones)
	late := newChecker(t, compile(t, dnsbl.ZoneConfig{Name: "late.example.test"}))
	if !c.HasEarly() || late.HasEarly() || (*dnsbl.Checker)(nil).HasEarly() {
		t.Errorf("HasEarly: with an early zone %v, without %v, nil %v", c.HasEarly(), late.HasEarly(), (*dnsbl.Checker)(nil).HasEarly())
	}
	if f, ok := c.Early(context.Background(), r, netip.MustParseAddr("127.0.0.9")); ok {
		t.Errorf("listed only in a late zone, early gave %+v", f)
	}
	f, ok := c.Early(context.Background(), r, netip.MustParseAddr("127.0.0.10"))
	if !ok || f.Zone != "early.example.test" || r.Queries() != 2 {
		t.Errorf("early %v %+v after %d queries; want early.example.test, one query each", ok, f, r.Queries())
	}
}

func TestLocalListsEarly(t *testing.T) {
	block := writeNamedList(t, "block.txt", "127.0.0.0/24\n")
	allow := writeNamedList(t, "allow.txt", "127.0.0.7\n")
	ll, err := dnsbl.NewLocalLists([]dnsbl.LocalListConfig{
		{Name: "late", Path: block},
		{Name: "national", Path: block, Early: dnsbl.EarlyReject},
		{Name: "ok", Path: allow, Kind: dnsbl.KindAllow},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	lateOnly, err := dnsbl.NewLocalLists([]dnsbl.LocalListConfig{{Name: "late", Path: block}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !ll.HasEarly() || lateOnly.HasEarly() || (*dnsbl.LocalLists)(nil).HasEarly() {
		t.Errorf("HasEarly: with an early list %v, without %v, nil %v", ll.HasEarly(), lateOnly.HasEarly(), (*dnsbl.LocalLists)(nil).HasEarly())
	}
	if h, ok := ll.Early(netip.MustParseAddr("127.0.0.9")); !ok || h.List != "national" {
		t.Errorf("Early = %+v %v, want the national list", h, ok)
	}
	if _, ok := ll.Early(netip.MustParseAddr("127.0.0.7")); ok || !ll.AllowsClient(netip.MustParseAddr("127.0.0.7")) {
		t.Error("an allow-listed client was rejected early")
	}
}

func TestEarlyConfigErrors(t *testing.T) {
	_, err := dnsbl.Compile([]dnsbl.ZoneConfig{
		{Name: "a.example.test", Early: "defer"},
		{Name: "b.example.test", Type: dnsbl.TypeDomain, Early: dnsbl.EarlyReject},
	})
	for _, want := range []string{`"a.example.test": early "defer"`, `"b.example.test": early: reject needs an IP zone`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	allow := writeNamedList(t, "allow.txt", "127.0.0.7\n")
	_, err = dnsbl.NewLocalLists([]dnsbl.LocalListConfig{{Name: "ok", Path: allow, Kind: dnsbl.KindAllow, Early: dnsbl.EarlyReject}}, nil)
	if err == nil || !strings.Contains(err.Error(), "early: reject needs a block list") {
		t.Errorf("error %v", err)
	}
}

// A combined zone with early codes: the SBL and XBL answers are refused at
// RCPT, a PBL answer (end-user range) is left to the rules, and an answer
// listed under both (PBL and XBL) is refused.
func TestCheckerEarlyCodes(t *testing.T) {
	zone := dnsbl.ZoneConfig{Name: "zen.example.test", Codes: []dnsbl.CodeMap{
		{Tag: "sbl", Match: "127.0.0.2", Early: dnsbl.EarlyReject},
		{Tag: "xbl", Match: "127.0.0.4/30", Early: dnsbl.EarlyReject},
		{Tag: "pbl", Match: "127.0.0.10/31"},
	}}
	c := newChecker(t, compile(t, zone))
	r := &resolver.Fake{A: map[string][]netip.Addr{
		"2.0.0.127.zen.example.test":  addrs("127.0.0.2"),
		"10.0.0.127.zen.example.test": addrs("127.0.0.11"),
		"11.0.0.127.zen.example.test": addrs("127.0.0.10", "127.0.0.4"),
	}}
	if !c.HasEarly() {
		t.Error("HasEarly false with early codes")
	}
	for _, tc := range []struct {
		ip   string
		want bool
	}{
		{ip: "127.0.0.2", want: true},
		{ip: "127.0.0.10", want: false},
		{ip: "127.0.0.11", want: true},
		{ip: "127.0.0.99", want: false},
	} {
		f, ok := c.Early(context.Background(), r, netip.MustParseAddr(tc.ip))
		if ok != tc.want || ok && f.Zone != "zen.example.test" {
			t.Errorf("%s: early %v %+v, want %v", tc.ip, ok, f, tc.want)
		}
	}
	pblOnly := zone
	pblOnly.Codes = []dnsbl.CodeMap{{Tag: "pbl", Match: "127.0.0.10/31"}}
	if newChecker(t, compile(t, pblOnly)).HasEarly() {
		t.Error("HasEarly true without an early zone or code")
	}
}

func TestEarlyCodeConfigErrors(t *testing.T) {
	_, err := dnsbl.Compile([]dnsbl.ZoneConfig{
		{Name: "a.example.test", Codes: []dnsbl.CodeMap{{Tag: "x", Match: "127.0.0.2", Early: "defer"}}},
		{Name: "b.example.test", Type: dnsbl.TypeDomain, Codes: []dnsbl.CodeMap{{Tag: "x", Match: "127.0.0.2", Early: dnsbl.EarlyReject}}},
		{Name: "c.example.test", Sources: []string{dnsbl.SourceURL}, Codes: []dnsbl.CodeMap{{Tag: "x", Match: "127.0.0.2", Early: dnsbl.EarlyReject}}},
	})
	for _, want := range []string{
		`"a.example.test": codes[0]: early "defer"`,
		`"b.example.test": codes[0]: early: reject needs an IP zone`,
		`"c.example.test": codes[0]: early: reject needs an IP zone`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}
