package e2e

import (
	"strings"
	"testing"

	"github.com/miekg/dns"

	"milter91/internal/testdns"
)

// slotFaultDKIM is TestFaultDKIMKeyTimeout's daemon, with its own DNS
// server that never answers the DKIM key query.
const slotFaultDKIM = "fault-dkim"

func init() { slotNames = append(slotNames, slotFaultDKIM) }

// The DKIM key lookup times out, SPF fails and the From domain publishes
// p=reject: DMARC cannot be decided, so the sender gets a 4xx and its MTA
// retries, never a 550. With an aligned SPF pass the same timeout changes
// nothing.
func TestFaultDKIMKeyTimeout(t *testing.T) {
	e := needEnv(t)
	zone := testdns.NewZone()
	if err := fillZone(zone, &e.dkimKey.PublicKey); err != nil {
		t.Fatal(err)
	}
	zone.SetTimeout(dkimSelector+"._domainkey."+goodDomain, dns.TypeTXT)
	srv, err := testdns.Start(zone)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	d, _ := faultDaemon(t, e, slotFaultDKIM, srv.Addr(), "milter91.log", nil)
	tests := []struct {
		name     string
		mailFrom string // SPF fails for strictDomain, passes for goodDomain
		code     int
		enhanced string
	}{
		{name: "SPF fail", mailFrom: "bob@" + strictDomain, code: 451, enhanced: "4.4.3"},
		{name: "aligned SPF pass", mailFrom: "alice@" + goodDomain, code: 250},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := newToken(t)
			data := dkimSign(t, e.dkimKey, mail{Token: tok, From: "<alice@" + goodDomain + ">", Subject: "dkim key timeout"}.build())
			r, err := sendOnce(e.smtpAddr(slotFaultDKIM), outMessage{From: tc.mailFrom, To: []string{recipient}, Data: data})
			if err != nil {
				t.Fatal(err)
			}
			if r.Code != tc.code || !strings.HasPrefix(r.Text, tc.enhanced) {
				t.Fatalf("reply %v, want %d %s", r, tc.code, tc.enhanced)
			}
			if tc.code != 250 {
				if !strings.Contains(r.Text, "DMARC policy of "+goodDomain+" cannot be checked now") {
					t.Errorf("reply %q does not say why", r.Text)
				}
				return
			}
			ars, _ := ourAR(t, delivered(t, e, tok))
			if len(ars) != 1 {
				t.Fatalf("%d ARs of ours, want 1", len(ars))
			}
			if _, res := authResults(t, ars[0]); res["dkim"] != "temperror" || res["dmarc"] != "pass" {
				t.Errorf("dkim=%q dmarc=%q, want temperror and pass in %q", res["dkim"], res["dmarc"], ars[0])
			}
		})
	}
	if p := logProblems(d, false); len(p) > 0 {
		t.Errorf("daemon log reports a panic or race:\n%s", p)
	}
}
