package engine_test

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"milter91/dnsbl"
	"milter91/internal/engine"
	"milter91/internal/txn"
)

// TestDomainBlocklistTargets checks what a message offers a domain zone
// on every source, and that a listed link domain scores URIBL_LISTED.
func TestDomainBlocklistTargets(t *testing.T) {
	zones, err := dnsbl.Compile([]dnsbl.ZoneConfig{{Name: "dbl.example.test", Type: dnsbl.TypeDomain}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	c, err := dnsbl.NewChecker(zones, dnsbl.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	res := dns("v=spf1 ip4:127.0.0.0/8 -all", "")
	res.A["link.test.dbl.example.test"] = []netip.Addr{netip.MustParseAddr("127.0.0.2")}
	e := newEngine(t, engine.Options{Resolver: res, DNSBL: c})
	tr := transaction(t, "From: A <a@www.from.test>\r\nReply-To: r@reply.test\r\n"+
		"DKIM-Signature: v=1; a=rsa-sha256; d=\r\n dkim.test; s=s1; h=from; bh=x; b=y\r\nSubject: hi\r\n\r\n"+
		"Visit https://www.link.test/a or write to info@mail.test.\r\n")
	tr.Conn.HELO = "mx.helo.test"
	tr.MailFrom = "<bounce@mailfrom.test>"
	out := mustEvaluate(t, e, tr)
	got := map[string]string{}
	for _, f := range out.Facts.DNSBL {
		got[f.Target] = strings.Join(f.Sources, ",")
	}
	want := map[string]string{"helo.test": "helo", "mailfrom.test": "mail_from", "from.test": "from",
		"reply.test": "reply_to", "dkim.test": "dkim", "link.test": "url", "mail.test": "email"}
	for target, sources := range want {
		if got[target] != sources {
			t.Errorf("target %s: sources %q, want %q (all: %v)", target, got[target], sources, got)
		}
	}
	if !matched(out.Verdict, "URIBL_LISTED") || matched(out.Verdict, "RHSBL_LISTED") || matched(out.Verdict, "DNSBL_LISTED") {
		t.Errorf("matched %v, want URIBL_LISTED only", out.Verdict.RuleIDs())
	}
	if i := slices.IndexFunc(out.Verdict.Matches, func(m txn.Match) bool { return m.ID == "URIBL_LISTED" }); i >= 0 &&
		!strings.Contains(out.Verdict.Matches[i].Detail, "link.test from url") {
		t.Errorf("URIBL_LISTED detail %q", out.Verdict.Matches[i].Detail)
	}
}

// A local block list entry rejects with the list's name; an allow list
// entry exempts the client from it and from the DNS blocklists.
func TestLocalLists(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	block := write("national.txt", clientIP+"\n")
	allow := write("allow.txt", "alice@"+senderDom+"\n")
	cases := []struct {
		name      string
		lists     []dnsbl.LocalListConfig
		wantRules []string
		action    txn.Action
		reply     string
	}{
		{name: "block list", lists: []dnsbl.LocalListConfig{{Name: "national", Path: block}},
			wantRules: []string{"DNSBL_LISTED", "LOCAL_BLOCKLIST"}, action: txn.ActionReject,
			reply: "554 5.7.1 Service unavailable; client [" + clientIP + "] blocked using " + blZone},
		{name: "allow list wins", lists: []dnsbl.LocalListConfig{{Name: "national", Path: block},
			{Name: "partners", Path: allow, Kind: dnsbl.KindAllow, Sources: []string{dnsbl.SourceMailFrom}}},
			action: txn.ActionAccept},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ll, err := dnsbl.NewLocalLists(tc.lists, nil)
			if err != nil {
				t.Fatal(err)
			}
			res := dns("v=spf1 ip4:127.0.0.0/8 -all", "")
			res.A[blQuery] = []netip.Addr{netip.MustParseAddr("127.0.0.2")}
			e := newEngine(t, engine.Options{Resolver: res, DNSBL: checker(t, false), Lists: ll})
			out := mustEvaluate(t, e, transaction(t, plainMessage))
			for _, id := range tc.wantRules {
				if !matched(out.Verdict, id) {
					t.Errorf("%s not matched: %v", id, out.Verdict.RuleIDs())
				}
			}
			if out.Verdict.Action != tc.action || (tc.reply != "" && out.Verdict.Reply.String() != tc.reply) {
				t.Errorf("verdict %v %q, want %v %q", out.Verdict.Action, out.Verdict.Reply.String(), tc.action, tc.reply)
			}
		})
	}
}

func TestEarly(t *testing.T) {
	dir := t.TempDir()
	block := filepath.Join(dir, "national.txt")
	if err := os.WriteFile(block, []byte("127.0.0.3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ll, err := dnsbl.NewLocalLists([]dnsbl.LocalListConfig{{Name: "national", Path: block, Early: dnsbl.EarlyReject}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	zones, err := dnsbl.Compile([]dnsbl.ZoneConfig{{Name: blZone, Early: dnsbl.EarlyReject, Secret: true}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := dnsbl.NewChecker(zones, dnsbl.Options{Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	res := dns("", "")
	res.A["2.0.0.127."+blZone] = []netip.Addr{netip.MustParseAddr("127.0.0.2")}
	e := newEngine(t, engine.Options{Resolver: res, DNSBL: c, Lists: ll})
	cases := []struct {
		ip, user, want string
	}{
		{ip: "127.0.0.3", want: "554 5.7.1 Service unavailable; client [127.0.0.3] listed in national"},
		{ip: "127.0.0.2", want: "554 5.7.1 Service unavailable; client [127.0.0.2] blocked using a DNS blocklist"},
		{ip: "127.0.0.2", user: "alice"},
		{ip: "127.0.0.4"},
	}
	for _, tc := range cases {
		r := e.Early(t.Context(), txn.Conn{ClientIP: netip.MustParseAddr(tc.ip)}, tc.user)
		got := ""
		if r != nil {
			got = r.String()
		}
		if got != tc.want {
			t.Errorf("Early(%s, %q) = %q, want %q", tc.ip, tc.user, got, tc.want)
		}
	}
	// In observe mode nobody is refused at RCPT; the end of message tells
	// the would-be verdict.
	observing := newEngine(t, engine.Options{Resolver: res, DNSBL: c, Lists: ll, Modes: engine.Modes{Observe: true}})
	if r := observing.Early(t.Context(), txn.Conn{ClientIP: netip.MustParseAddr("127.0.0.3")}, ""); r != nil {
		t.Errorf("observe mode: Early = %q, want nil", r.String())
	}
}

// A message with more link domains than the blocklist budget allows loses
// blocklist lookups, never its SPF, DKIM or DMARC ones, which have their
// own limits.
func TestBlocklistBudgetLeavesDMARC(t *testing.T) {
	zones, err := dnsbl.Compile([]dnsbl.ZoneConfig{{Name: blZone}, {Name: "uribl.example.test", Type: dnsbl.TypeDomain}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := dnsbl.NewChecker(zones, dnsbl.Options{Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	res := dns("v=spf1 -all", "v=DMARC1; p=reject")
	e := newEngine(t, engine.Options{Resolver: res, DNSBL: c, DNSBLLimits: dnsbl.Limits{MaxQueries: 3}})
	var body strings.Builder
	for i := range 30 {
		fmt.Fprintf(&body, "https://www.d%d.test/ ", i)
	}
	out := mustEvaluate(t, e, transaction(t, "From: <alice@"+senderDom+">\r\nSubject: links\r\n\r\n"+body.String()+"\r\n"))
	f := out.Facts
	if len(f.DNSBL) != 3 || f.DNSBLSkipped == 0 {
		t.Errorf("%d blocklist facts, %d skipped; want 3 and some skipped", len(f.DNSBL), f.DNSBLSkipped)
	}
	if f.SPF.Result != txn.ResultFail || f.DMARC.Result != txn.ResultFail || f.DMARC.Policy != "reject" {
		t.Errorf("SPF %q DMARC %q policy %q; want fail, fail, reject", f.SPF.Result, f.DMARC.Result, f.DMARC.Policy)
	}
}
