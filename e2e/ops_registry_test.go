package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"milter91/internal/pgtest"
)

// opsHost is one of the two daemons sharing the PostgreSQL registry: its
// inbound and outbound Postfix smtpd addresses.
type opsHost struct {
	name    string
	d       *daemon
	in, out string
}

// startOpsHost starts a daemon on slot that also listens on outSlot's
// milter, named in decree91.outbound_listeners, with the registry at
// regURL.
//
// The outbound direction comes from the listener rather than from
// {daemon_name} (milter_macro_daemon_name=ORIGINATING): the harness's
// setup gives a daemon name, and a shared milter, to slotDecreeOut only.
func startOpsHost(t *testing.T, e *env, name, slot, outSlot, regURL string) opsHost {
	t.Helper()
	extra := fmt.Sprintf("decree91:\n  registry: %q\n  outbound_listeners: [%q]\n", regURL, milterListen(e, outSlot))
	d, _ := opsDaemon(t, e, slot, []string{slot, outSlot}, extra)
	return opsHost{name: name, d: d, in: e.smtpAddr(slot), out: e.smtpAddr(outSlot)}
}

// sendAd sends a complete, labelled ad from shopSender to rcpt through
// the smtpd at addr, in a session of its own, and records it in tl.
func sendAd(t *testing.T, addr, rcpt string, tl *tally) (string, reply) {
	t.Helper()
	tok := newToken(t)
	data := adMail{Token: tok, To: rcpt, Subject: "[AD] Autumn sale: 30% off everything"}.build()
	r, err := sendOnce(addr, outMessage{From: shopSender, To: []string{rcpt}, Data: data})
	if err != nil {
		t.Fatalf("send to %s: %v", addr, err)
	}
	tl.add(tok, r, nil)
	return tok, r
}

// Two daemons (hosts A and B) share one PostgreSQL registry through a
// proxy: the 24 h cap counts the sends of both; with the server
// unreachable outbound ads are deferred and inbound mail flows; when it
// is back both hosts use it again without a restart.
func TestOpsSharedRegistryOnPostgres(t *testing.T) {
	e := needEnv(t)
	u, err := url.Parse(pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := startProxy(t, u.Host)
	u.Host = proxy.addr
	regURL := u.String()
	const capRcpt, laterRcpt, reader = "cap@example.org", "later@example.org", "reader@example.net"
	for _, rcpt := range []string{capRcpt, laterRcpt} {
		milter91CLI(t, e, "consent", "add", "--db", regURL, "--advertiser", advertiserID,
			"--rcpt", rcpt, "--method", "form", "--evidence", "e2e shared registry")
	}
	a := startOpsHost(t, e, "A", slotOpsA, slotOpsAOut, regURL)
	b := startOpsHost(t, e, "B", slotOpsB, slotOpsBOut, regURL)
	tl := &tally{}

	checkSharedCap(t, e, []opsHost{a, b, a, b, a}, capRcpt, tl)

	checkRegistryOutage(t, e, proxy, a, b, laterRcpt, reader, tl)

	for _, h := range []opsHost{a, b} {
		if err := h.d.stop(30 * time.Second); err != nil {
			t.Errorf("host %s: %v", h.name, err)
		}
		if p := logProblems(h.d, false); len(p) > 0 {
			t.Errorf("host %s log reports a panic or race:\n%s", h.name, p)
		}
	}
	t.Logf("replies: %v", tl)
	verifyDelivery(t, e, tl)
}

// checkRegistryOutage brings the proxy down: outbound ads to rcpt are
// deferred (451 4.3.0) on both hosts, an inbound ad to reader through A
// is delivered and marked, both hosts keep running and log "registry
// unavailable". With the proxy up again on the same port, an outbound ad
// to rcpt passes on each host without a restart.
func checkRegistryOutage(t *testing.T, e *env, proxy *tcpProxy, a, b opsHost, rcpt, reader string, tl *tally) {
	t.Helper()
	proxy.down()
	for _, h := range []opsHost{a, b} {
		if _, r := sendAd(t, h.out, rcpt, tl); r.Code != 451 || !strings.HasPrefix(r.Text, "4.3.0 ") {
			t.Errorf("registry down, outbound ad via %s: reply %v, want 451 4.3.0 (D91_OUT_REGISTRY_DOWN)", h.name, r)
		}
	}
	tok, r := sendAd(t, a.in, reader, tl)
	if r.Code != 250 {
		t.Fatalf("registry down, inbound ad via A: reply %v, want 250", r)
	}
	if marks := fieldValues(delivered(t, e, messageID(tok)), "X-Decree91"); len(marks) != 1 || !strings.HasPrefix(marks[0], "ad; direction=inbound") {
		t.Errorf("registry down, inbound ad: X-Decree91 %q, want one inbound ad mark", marks)
	}
	for _, h := range []opsHost{a, b} {
		if !h.d.running() {
			t.Fatalf("host %s exited with the registry down", h.name)
		}
		if _, err := h.d.waitLog(withField("msg", "registry unavailable"), 5*time.Second); err != nil {
			t.Errorf("host %s log: no \"registry unavailable\": %v", h.name, err)
		}
	}

	if err := proxy.up(); err != nil {
		t.Fatalf("proxy up again on %s: %v", proxy.addr, err)
	}
	for _, h := range []opsHost{a, b} {
		tok, r := sendAd(t, h.out, rcpt, tl)
		if r.Code != 250 {
			t.Errorf("registry back, outbound ad via %s: reply %v, want 250", h.name, r)
			continue
		}
		delivered(t, e, messageID(tok))
	}
}

// checkSharedCap sends ads to rcpt through the hosts in turn: the first
// three pass (250, delivered), every later one is deferred (451 4.7.1,
// Art. 13.5), whichever host takes it, as both count in one registry.
func checkSharedCap(t *testing.T, e *env, hosts []opsHost, rcpt string, tl *tally) {
	t.Helper()
	for i, h := range hosts {
		tok, r := sendAd(t, h.out, rcpt, tl)
		if i < 3 {
			if r.Code != 250 {
				t.Fatalf("ad %d via %s: reply %v, want 250", i+1, h.name, r)
			}
			delivered(t, e, messageID(tok))
			continue
		}
		if r.Code != 451 || !strings.HasPrefix(r.Text, "4.7.1 ") || !strings.Contains(r.Text, "Art. 13.5") {
			t.Errorf("ad %d via %s: reply %v, want 451 4.7.1 naming Art. 13.5 (D91_OUT_FREQUENCY)", i+1, h.name, r)
		}
	}
}
