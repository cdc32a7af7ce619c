package auth

import (
	"context"
	"net/netip"
	"slices"
	"sort"
	"testing"
	"time"

	"milter91/internal/resolver"
	"milter91/internal/testdns"
)

// libSkipped are the RFC 7208 suite cases that blitiri.com.ar/go/spf v1.6.0
// marks "skip:" in its own copy of the suite (testdata/rfc7208-tests.yml of
// the module), with the library's reason. Our conformance run tolerates a
// failure only for these.
var libSkipped = map[string]string{
	"non-ascii-policy":             "We don't enforce 7-bit ascii.",
	"control-char-policy":          "We fail instead of permerror because we don't enforce the charset.",
	"spftimeout":                   "We don't use SPF records, it's ok to temperror here.",
	"detect-errors-anywhere":       "We don't catch errors after a match.",
	"redirect-is-modifier":         "We don't catch errors after a match.",
	"invalid-domain":               "We don't enforce TLD structure.",
	"a-bad-domain":                 "We don't enforce domain charset.",
	"a-null":                       "We don't enforce charset.",
	"a-numeric":                    "We don't enforce domain structure.",
	"a-numeric-toplabel":           "We don't enforce TLD structure.",
	"a-bad-toplabel":               "We don't enforce TLD structure.",
	"a-only-toplabel":              "We don't enforce TLD structure.",
	"a-only-toplabel-trailing-dot": "We don't enforce TLD structure.",
	"a-colon-domain":               "Allowing / in domain names is not worth the complexity",
	"a-colon-domain-ip4mapped":     "Allowing / in domain names is not worth the complexity",
	"mx-bad-domain":                "We don't enforce domain syntax.",
	"mx-null":                      "We don't enforce charset.",
	"mx-numeric-top-label":         "We don't validate top-level domains.",
	"mx-colon-domain":              "Allowing / in domain names is not worth the complexity",
	"mx-colon-domain-ip4mapped":    "Allowing / in domain names is not worth the complexity",
	"mx-bad-toplab":                "We don't enforce TLD structure.",
	"cidr4-032":                    "It's not clear this is problematic.",
	"bare-ip6":                     "There's an early match.",
	"redirect-syntax-error":        "We don't enforce charset within the redirect.",
	"exp-empty-domain":             "We ignore exp, and is harmless.",
	"exp-syntax-error":             "We don't enforce exp values.",
	"exp-twice":                    "We ignore exp, and is harmless.",
	"redirect-empty-domain":        "There's an early match.",
	"unknown-modifier-syntax":      "There's an early match.",
	"exp-only-macro-char":          "We ignore exp, and is harmless.",
	"p-macro-multiple":             "p macro is not supported",
}

// TestSPFConformanceRFC7208 runs the OpenSPF RFC 7208 suite through CheckSPF
// twice: over resolver.Client talking to a testdns server on loopback (the
// production path), and over a resolver.Fake loaded with the same zonedata
// (newSuiteZone). Each run fails when a case the library itself passes fails
// (libSkipped lists the others), and logs its counts.
func TestSPFConformanceRFC7208(t *testing.T) {
	suites := loadSPFSuite(t, "testdata/spf/rfc7208-tests.yml")
	srv, err := testdns.Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	// No cache: the scenarios reuse names with different data.
	client, err := resolver.New(resolver.Config{Servers: []string{srv.Addr()},
		Timeout: 200 * time.Millisecond, Retries: -1, CacheSize: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("client over testdns", func(t *testing.T) {
		runSPFSuite(t, suites, func(s spfSuite) resolver.Resolver {
			zone, err := testdns.FromSPFSuite(s.ZoneData)
			if err != nil {
				t.Fatalf("%s: %v", s.Description, err)
			}
			srv.SetZone(zone)
			return client
		})
	})
	t.Run("fake", func(t *testing.T) {
		runSPFSuite(t, suites, func(s spfSuite) resolver.Resolver { return newSuiteZone(t, s.ZoneData) })
	})
}

// runSPFSuite checks every case of suites with the resolver zoneFor returns
// for its scenario.
func runSPFSuite(t *testing.T, suites []spfSuite, zoneFor func(spfSuite) resolver.Resolver) {
	var total, passed, knownFail int
	for _, s := range suites {
		r := zoneFor(s)
		names := make([]string, 0, len(s.Tests))
		for n := range s.Tests {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			c := s.Tests[name]
			total++
			ip, _ := netip.ParseAddr(c.Host)
			got := CheckSPF(context.Background(), r, ip, c.Helo, c.MailFrom)
			want := c.results()
			switch reason, skipped := libSkipped[name]; {
			case slices.Contains(want, got.Result):
				passed++
			case skipped:
				knownFail++
				t.Logf("%s / %s: got %s (%s), want %v; library skips it: %s",
					s.Description, name, got.Result, got.Detail, want, reason)
			default:
				t.Errorf("%s / %s: got %s (%s), want %v", s.Description, name, got.Result, got.Detail, want)
			}
		}
	}
	t.Logf("RFC 7208 suite: %d cases, %d pass, %d fail on the library's skip list; "+
		"the library's own run expects %d passes (%d cases minus its %d skips)",
		total, passed, knownFail, total-len(libSkipped), total, len(libSkipped))
	if total != 203 {
		t.Errorf("suite has %d cases, want 203 (file changed or loader dropped cases)", total)
	}
}
