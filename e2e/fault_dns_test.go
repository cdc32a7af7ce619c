package e2e

import (
	"slices"
	"sync"
	"testing"
	"time"

	"milter91/internal/testdns"
)

// slowDNSDelay holds every DNS answer well beyond the daemon's lookup
// budget (writeDaemonConfig: dns.timeout 500ms, 1 retry) and below
// Postfix's milter_content_timeout (300s).
const slowDNSDelay = 4 * time.Second

// A DNS server slower than the per-lookup timeout makes every lookup a
// temperror fact: the message is still answered, by the rules (accepted,
// our Authentication-Results saying temperror), not by the fail mode or by
// Postfix's milter timeout (both would be 451 4.7.1), and none is lost.
func TestFaultSlowDNS(t *testing.T) {
	e := needEnv(t)
	dns := slowDNS(t, e)
	d, _ := faultDaemon(t, e, slotFaultDNS, dns.Addr(), "milter91.log", nil)
	tests := []struct {
		name   string
		signed bool
		want   map[string]string // method → result in our Authentication-Results
	}{
		{name: "unsigned", want: map[string]string{"spf": "temperror", "dkim": "none", "dmarc": "temperror"}},
		{name: "DKIM-signed", signed: true, want: map[string]string{"spf": "temperror", "dkim": "temperror", "dmarc": "temperror"}},
	}
	const copies = 3 // messages per case, all sent at once
	tokens := make([][]string, len(tests))
	var msgs []outMessage
	for i, tc := range tests {
		for range copies {
			tok := newToken(t)
			tokens[i] = append(tokens[i], tok)
			m := faultMessage(tok, "slow dns", "")
			if tc.signed {
				m.Data = dkimSign(t, e.dkimKey, m.Data)
			}
			msgs = append(msgs, m)
		}
	}
	tl := sendConcurrently(e.smtpAddr(slotFaultDNS), msgs, slices.Concat(tokens...))
	t.Logf("slow DNS (%v per answer): %v", slowDNSDelay, tl)
	if len(tl.accepted) != len(msgs) {
		t.Errorf("want every message accepted: %v", tl)
	}
	t.Logf("arrived at the sink: %d", verifyDelivery(t, e, tl))
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, tok := range tokens[i] {
				m, err := e.sink.wait(tok, time.Second)
				if err != nil {
					continue // verifyDelivery reported it
				}
				ars, _ := ourAR(t, m)
				if len(ars) != 1 {
					t.Fatalf("%s: %d ARs of ours, want 1", tok, len(ars))
				}
				_, res := authResults(t, ars[0])
				for method, want := range tc.want {
					if res[method] != want {
						t.Errorf("%s: %s=%q, want %s in %q", tok, method, res[method], want, ars[0])
					}
				}
			}
		})
	}
	checkMemory(t, d, maxDaemonRSS)
	if p := logProblems(d, false); len(p) > 0 {
		t.Errorf("daemon log reports a panic or race:\n%s", p)
	}
	if dns.Queries() == 0 {
		t.Error("the daemon never asked the slow DNS server")
	}
}

// slowDNS starts a DNS server with the test zone whose every answer waits
// slowDNSDelay; it stops with the test.
func slowDNS(t *testing.T, e *env) *testdns.Server {
	t.Helper()
	zone := testdns.NewZone()
	if err := fillZone(zone, &e.dkimKey.PublicKey); err != nil {
		t.Fatal(err)
	}
	dns, err := testdns.Start(zone)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dns.Close() })
	dns.SetDelay(slowDNSDelay)
	return dns
}

// sendConcurrently sends each of msgs (tokens[i] is the token of msgs[i])
// in its own SMTP session to addr, all at once, and returns what the
// senders saw.
func sendConcurrently(addr string, msgs []outMessage, tokens []string) *tally {
	tl := &tally{}
	var wg sync.WaitGroup
	for i, m := range msgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := sendOnce(addr, m)
			tl.add(tokens[i], r, err)
		}()
	}
	wg.Wait()
	return tl
}
