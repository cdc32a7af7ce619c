package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"milter91/internal/testdns"
)

// ownDaemon starts a daemon on slot for one test; the test fails unless it
// is still running at the end and exits 0 on SIGTERM. Its log is added to
// the output of a failed test.
func ownDaemon(t *testing.T, e *env, slot, dnsAddr string, rulePaths []string) *daemon {
	t.Helper()
	d, err := e.startDaemon(context.Background(), slot, dnsAddr, rulePaths)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if d.running() {
			if err := d.stop(30 * time.Second); err != nil {
				t.Error(err)
			}
		}
		if t.Failed() {
			t.Logf("milter91 (%s) log tail:\n%s", slot, tailFile(d.LogPath, 16<<10))
		}
	})
	return d
}

// With its DNS server gone every lookup fails; a DNS failure is a fact
// (temperror), not an internal fault, so under the default rules the mail
// is accepted and the results say temperror.
func TestDNSDownAcceptsWithTemperror(t *testing.T) {
	e := needEnv(t)
	zone := testdns.NewZone()
	if err := fillZone(zone, &e.dkimKey.PublicKey); err != nil {
		t.Fatal(err)
	}
	dns, err := testdns.Start(zone)
	if err != nil {
		t.Fatal(err)
	}
	d := ownDaemon(t, e, slotDNSDown, dns.Addr(), nil)
	if err := dns.Close(); err != nil {
		t.Fatal(err)
	}
	tok := newToken(t)
	data := mail{Token: tok, From: "<alice@" + goodDomain + ">", Subject: "dns down"}.build()
	s := openSession(t, e.smtpAddr(slotDNSDown), "client.example.test", "")
	if r := mustSend(t, s, outMessage{From: "alice@" + goodDomain, To: []string{recipient}, Data: data}); r.Code != 250 {
		t.Fatalf("reply %v, want 250 (accepted with temperror)", r)
	}
	ars, _ := ourAR(t, delivered(t, e, tok))
	if len(ars) != 1 {
		t.Fatalf("%d ARs of ours, want 1", len(ars))
	}
	if _, res := authResults(t, ars[0]); res["spf"] != "temperror" {
		t.Errorf("spf=%q, want temperror in %q", res["spf"], ars[0])
	}
	if !d.running() {
		t.Error("milter91 exited after DNS failures")
	}
}

// SIGTERM stops the daemon with exit code 0; Postfix then tempfails new
// mail (milter_default_action = tempfail) instead of passing it unchecked.
func TestSIGTERMExitsZero(t *testing.T) {
	e := needEnv(t)
	d := ownDaemon(t, e, slotSIGTERM, e.dns.Addr(), nil)
	// Each message has its own session, ended before SIGTERM: an open
	// session holds a milter connection, which the daemon lets finish.
	send := func() (reply, string) {
		tok := newToken(t)
		data := mail{Token: tok, From: "<alice@" + goodDomain + ">", Subject: "sigterm"}.build()
		s := openSession(t, e.smtpAddr(slotSIGTERM), "client.example.test", "")
		defer s.quit()
		return mustSend(t, s, outMessage{From: "alice@" + goodDomain, To: []string{recipient}, Data: data}), tok
	}
	if r, tok := send(); r.Code != 250 {
		t.Fatalf("before SIGTERM: reply %v, want 250", r)
	} else {
		delivered(t, e, tok)
	}
	if err := d.stop(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	r, tok := send()
	if r.Code/100 != 4 || !strings.HasPrefix(r.Text, "4.7.1") {
		t.Errorf("after SIGTERM: reply %v, want 4xx 4.7.1 from milter_default_action", r)
	}
	if e.sink.has(tok) {
		t.Error("a message passed unchecked while the milter was down")
	}
}
