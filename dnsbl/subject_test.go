package dnsbl_test

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"milter91/dnsbl"
	"milter91/internal/resolver"
	"milter91/internal/txn"
)

// messageZones: an IP zone for the client, an IP zone for IP-literal
// URLs, a domain zone on every source (org-domain trimming), a URIBL on
// body sources, and a full-name zone on HELO.
func messageZones(t *testing.T) []*dnsbl.Zone {
	return compile(t,
		dnsbl.ZoneConfig{Name: "bl.example.test"},
		dnsbl.ZoneConfig{Name: "urlip.example.test", Sources: []string{dnsbl.SourceURL}},
		dnsbl.ZoneConfig{Name: "dbl.example.test", Type: dnsbl.TypeDomain},
		dnsbl.ZoneConfig{Name: "uribl.example.test", Type: dnsbl.TypeDomain, Sources: []string{dnsbl.SourceURL, dnsbl.SourceEmail}},
		dnsbl.ZoneConfig{Name: "full.example.test", Type: dnsbl.TypeDomain, FullName: true, Sources: []string{dnsbl.SourceHELO}},
	)
}

func newChecker(t *testing.T, zones []*dnsbl.Zone) *dnsbl.Checker {
	t.Helper()
	clock := &fakeClock{t: time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)}
	c, err := dnsbl.NewChecker(zones, dnsbl.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// queries returns "query sources" per fact, for comparison.
func queries(facts []txn.DNSBL) []string {
	var out []string
	for _, f := range facts {
		out = append(out, f.Query+" "+strings.Join(f.Sources, ","))
	}
	return out
}

func TestCheckMessagePlan(t *testing.T) {
	s := dnsbl.Subject{
		ClientIP: netip.MustParseAddr("127.0.0.2"),
		Targets: []dnsbl.Target{
			{Source: dnsbl.SourceURL, Name: "www.Shop.Example.org"},
			{Source: dnsbl.SourceHELO, Name: "mail.sender.example.com."},
			{Source: dnsbl.SourceMailFrom, Name: "bounce.sender.example.com"},
			{Source: dnsbl.SourceURL, Name: "192.0.2.7"},
			{Source: dnsbl.SourceEmail, Name: "shop.example.org"},
			{Source: dnsbl.SourceFrom, Name: "localhost"}, // one label: not asked
			{Source: dnsbl.SourceDKIM, Name: "bücher.example"},
		},
	}
	facts, skipped := newChecker(t, messageZones(t)).CheckMessage(context.Background(), &resolver.Fake{}, s, dnsbl.Limits{})
	want := []string{
		"2.0.0.127.bl.example.test client",
		"example.com.dbl.example.test helo,mail_from",
		"mail.sender.example.com.full.example.test helo",
		"xn--bcher-kva.example.dbl.example.test dkim",
		"example.org.dbl.example.test url,email",
		"example.org.uribl.example.test url,email",
		"7.2.0.192.urlip.example.test url",
	}
	if got := queries(facts); !slices.Equal(got, want) || skipped != 0 {
		t.Errorf("queries (skipped %d):\n%s\nwant:\n%s", skipped, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if facts[1].Target != "example.com" || facts[1].Result != dnsbl.ResultNotListed {
		t.Errorf("fact %+v", facts[1])
	}
}

func TestCheckMessageLimits(t *testing.T) {
	var targets []dnsbl.Target
	for i := range 30 {
		targets = append(targets, dnsbl.Target{Source: dnsbl.SourceURL, Name: fmt.Sprintf("www.d%d.example", i)})
	}
	targets = append(targets, dnsbl.Target{Source: dnsbl.SourceMailFrom, Name: "sender.example.com"})
	s := dnsbl.Subject{ClientIP: netip.MustParseAddr("127.0.0.2"), Targets: targets}
	c := newChecker(t, messageZones(t))
	cases := []struct {
		name        string
		lim         dnsbl.Limits
		wantQueries int
		wantSkipped int
	}{
		// Two domain zones (dbl, uribl) ask about links. Defaults: client 1
		// + mail_from 1 + 20 body domains × 2 zones would be 42 queries;
		// the budget of 40 stops the last two, and the 10 body domains past
		// the cap cost 2 lookups each.
		{name: "defaults", lim: dnsbl.Limits{}, wantQueries: 40, wantSkipped: 2 + 10*2},
		{name: "small budget", lim: dnsbl.Limits{MaxQueries: 3}, wantQueries: 3, wantSkipped: (20*2 - 1) + 10*2},
		{name: "few body domains", lim: dnsbl.Limits{MaxBodyDomains: 2}, wantQueries: 6, wantSkipped: 28 * 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			facts, skipped := c.CheckMessage(context.Background(), &resolver.Fake{}, s, tc.lim)
			if len(facts) != tc.wantQueries || skipped != tc.wantSkipped {
				t.Errorf("%d queries, %d skipped; want %d, %d", len(facts), skipped, tc.wantQueries, tc.wantSkipped)
			}
			// Envelope targets come before body targets, whatever the order given.
			if len(facts) > 1 && facts[1].Query != "example.com.dbl.example.test" {
				t.Errorf("second query %q, want the MAIL FROM domain", facts[1].Query)
			}
		})
	}
}

// A lookup the limits cut counts once, however many targets would have
// asked it, and not at all when it is sent anyway or no zone asks it.
func TestCheckMessageSkippedCountsLookups(t *testing.T) {
	zones := compile(t,
		dnsbl.ZoneConfig{Name: "dbl.example.test", Type: dnsbl.TypeDomain, Sources: []string{dnsbl.SourceFrom, dnsbl.SourceURL}},
		dnsbl.ZoneConfig{Name: "uribl.example.test", Type: dnsbl.TypeDomain, Sources: []string{dnsbl.SourceURL}},
	)
	s := dnsbl.Subject{Targets: []dnsbl.Target{
		{Source: dnsbl.SourceFrom, Name: "sender.example.com"},
		{Source: dnsbl.SourceURL, Name: "a.first.example"},      // within the cap: 2 queries
		{Source: dnsbl.SourceURL, Name: "www.cut.example"},      // past it: dbl and uribl, 2 lookups cut
		{Source: dnsbl.SourceURL, Name: "img.cut.example"},      // the same two lookups
		{Source: dnsbl.SourceURL, Name: "www.example.com"},      // dbl asks it anyway (From): only uribl cut
		{Source: dnsbl.SourceEmail, Name: "mail.other.example"}, // no zone asks email addresses
	}}
	facts, skipped := newChecker(t, zones).CheckMessage(context.Background(), &resolver.Fake{}, s, dnsbl.Limits{MaxBodyDomains: 1})
	want := []string{
		"example.com.dbl.example.test from,url",
		"first.example.dbl.example.test url",
		"first.example.uribl.example.test url",
	}
	if got := queries(facts); !slices.Equal(got, want) || skipped != 3 {
		t.Errorf("queries (skipped %d, want 3):\n%s\nwant:\n%s", skipped, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Past the budget, www.cut.example and img.cut.example are one lookup
	// per zone.
	_, skipped = newChecker(t, zones).CheckMessage(context.Background(), &resolver.Fake{}, s, dnsbl.Limits{MaxQueries: 1})
	// first.example and cut.example in both zones, example.com in uribl
	// (dbl sends it for From): 5.
	if skipped != 5 {
		t.Errorf("budget 1: skipped %d, want 5", skipped)
	}
}

func TestCheckMessageListedAndBlocked(t *testing.T) {
	zones := messageZones(t)
	r := &resolver.Fake{A: map[string][]netip.Addr{
		"example.org.uribl.example.test": addrs("127.0.0.2"),
		"example.org.dbl.example.test":   addrs("127.255.255.254"),
	}}
	c := newChecker(t, zones)
	s := dnsbl.Subject{Targets: []dnsbl.Target{{Source: dnsbl.SourceURL, Name: "http.example.org"}}}
	facts, _ := c.CheckMessage(context.Background(), r, s, dnsbl.Limits{})
	results := map[string]string{}
	for _, f := range facts {
		results[f.Zone] = f.Result
	}
	if results["uribl.example.test"] != dnsbl.ResultListed || results["dbl.example.test"] != dnsbl.ResultBlocked {
		t.Fatalf("results %v", results)
	}
	// The blocked domain zone is paused: the next message does not ask it.
	before := r.Queries()
	facts, _ = c.CheckMessage(context.Background(), r, s, dnsbl.Limits{})
	if r.Queries()-before != 1 || !strings.HasPrefix(facts[0].Detail, "paused until") {
		t.Errorf("%d queries, facts %+v", r.Queries()-before, facts)
	}
}

func TestZoneTypeAndSourceErrors(t *testing.T) {
	_, err := dnsbl.Compile([]dnsbl.ZoneConfig{
		{Name: "a.example.test", Type: "uri"},
		{Name: "b.example.test", Sources: []string{dnsbl.SourceHELO}},
		{Name: "c.example.test", Type: dnsbl.TypeDomain, Sources: []string{dnsbl.SourceClient}},
	})
	for _, want := range []string{`"a.example.test": type "uri"`, `"b.example.test": sources[0] "helo": ip zones take`, `"c.example.test": sources[0] "client": domain zones take`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not contain %q", err, want)
		}
	}
}
