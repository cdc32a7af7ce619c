package e2e

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// slotFaultMIME is TestFaultPartHeaderFlood's daemon.
const slotFaultMIME = "fault-mime"

func init() { slotNames = append(slotNames, slotFaultMIME) }

// A MIME part header is not the message header: Postfix bounds each of its
// lines, not their number, and milter91's header caps do not see it. One
// part header of 1.5 million short lines (a 12 MB message) made the daemon
// hold about 750 MiB while the Decree 91 walk read it; it is bounded now
// (64 KiB per part header): the message is delivered, checked, and the
// daemon's memory grows by little.
func TestFaultPartHeaderFlood(t *testing.T) {
	e := needEnv(t)
	d, _ := faultDaemon(t, e, slotFaultMIME, e.dns.Addr(), "milter91.log", nil)
	before := daemonMemory(t, d)
	tok := newToken(t)
	m := faultMessage(tok, "part header flood", "--b\r\nContent-Type: text/plain\r\n"+
		strings.Repeat("X-A: b\r\n", 1_500_000)+"\r\nhello\r\n--b--\r\n")
	m.Data = bytes.Replace(m.Data, []byte("Content-Type: text/plain; charset=utf-8"), []byte(`Content-Type: multipart/mixed; boundary="b"`), 1)
	tl := &tally{}
	start := time.Now()
	r, err := sendOnce(e.smtpAddr(slotFaultMIME), m)
	tl.add(tok, r, err)
	t.Logf("%d-byte message: %v (err %v) after %v", len(m.Data), r, err, time.Since(start).Round(time.Millisecond))
	after := checkMemory(t, d, maxDaemonRSS)
	grown := after.HWM - before.RSS
	t.Logf("daemon memory: %.1f MiB before, peak %.1f MiB, grew by %.1f MiB", float64(before.RSS)/(1<<20),
		float64(after.HWM)/(1<<20), float64(grown)/(1<<20))
	if err != nil || r.Code != 250 {
		t.Fatalf("reply %v (err %v), want 250", r, err)
	}
	verifyDelivery(t, e, tl)
	if ars, _ := ourAR(t, delivered(t, e, tok)); len(ars) != 1 {
		t.Errorf("%d ARs of ours, want 1 (the milter checked the message)", len(ars))
	}
	limit := int64(32 << 20)
	if raceEnabled {
		limit *= 4
	}
	if grown > limit {
		t.Errorf("daemon memory grew by %d MiB for a %d MiB message, want under %d MiB", grown>>20, len(m.Data)>>20, limit>>20)
	}
}
