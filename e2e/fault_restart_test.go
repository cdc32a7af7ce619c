package e2e

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// restartSenders is the number of sender goroutines, each with its own
// SMTP session at a time.
const restartSenders = 4

// flowTimeout bounds the waits for mail to flow, or to be tempfailed,
// after a change of the daemon's state.
const flowTimeout = 30 * time.Second

// The daemon is stopped (SIGTERM) and started again on the same address
// while senders keep sessions open and messages in flight. Postfix's
// milter_default_action is tempfail (writeMainCF), so the senders see
// only 250 or 4xx, never 5xx; every 250 arrives exactly once and was
// checked by the milter (it carries our Authentication-Results); after the
// restart mail flows again.
func TestFaultMilterRestart(t *testing.T) {
	e := needEnv(t)
	tests := []struct {
		name       string
		grace      string // shutdown_grace
		perSession int    // messages per session before QUIT; 0: until one is not accepted
	}{
		// The open sessions end by themselves; the old daemon finishes
		// their messages and exits.
		{name: "sessions end within the grace", grace: "10s", perSession: 2},
		// The sessions outlive the grace: the daemon closes their milter
		// connections and Postfix tempfails what follows in them.
		{name: "grace runs out", grace: "1s"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			restartCase(t, e, fmt.Sprintf("case%d-%%s.log", i), tc.grace, tc.perSession)
		})
	}
}

// restartCase runs one case of TestFaultMilterRestart: the daemons log to
// logName with "first" and "second" for %s.
func restartCase(t *testing.T, e *env, logName, grace string, perSession int) {
	addr := e.smtpAddr(slotFaultRestart)
	first, cfg := faultDaemon(t, e, slotFaultRestart, e.dns.Addr(), fmt.Sprintf(logName, "first"), [][2]string{{"shutdown_grace", grace}})
	tl := &tally{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range restartSenders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sendLoop(t, addr, perSession, tl, stop)
		}()
	}
	var once sync.Once
	halt := func() { once.Do(func() { close(stop) }); wg.Wait() }
	defer halt()

	waitTally(t, tl, "mail flowing before the restart", func(ok, _ int) bool { return ok >= 2*restartSenders })
	firstMem := checkMemory(t, first, maxDaemonRSS)
	if err := first.stop(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	_, tempAtStop := tallyCounts(tl)
	waitTally(t, tl, "tempfail while the daemon is down", func(_, temp int) bool { return temp > tempAtStop })
	second := startFaultDaemon(t, e, slotFaultRestart, cfg, e.dns.Addr(), filepath.Join(filepath.Dir(cfg), fmt.Sprintf(logName, "second")))
	okAtRestart, _ := tallyCounts(tl)
	waitTally(t, tl, "mail flowing after the restart", func(ok, _ int) bool { return ok >= okAtRestart+restartSenders })
	halt()

	t.Logf("senders during the restart: %v", tl)
	if len(tl.rejected) > 0 || len(tl.noReply) > 0 {
		t.Errorf("want only 250 or 4xx: %v", tl)
	}
	if r, err := sendOnce(addr, faultMessage(newToken(t), "after the restart", "")); err != nil || r.Code != 250 {
		t.Errorf("a new session after the restart: reply %v (err %v), want 250", r, err)
	}
	t.Logf("arrived at the sink: %d", verifyDelivery(t, e, tl))
	for _, tok := range tl.accepted {
		if m, err := e.sink.wait(tok, time.Second); err == nil {
			if ars, _ := ourAR(t, m); len(ars) != 1 {
				t.Errorf("accepted message %s has %d ARs of ours, want 1 (checked by the milter)", tok, len(ars))
			}
		}
	}
	t.Logf("daemon memory: first %v, second %v", firstMem, checkMemory(t, second, maxDaemonRSS))
	for _, d := range []*daemon{first, second} {
		if p := logProblems(d, false); len(p) > 0 {
			t.Errorf("%s reports a panic or race:\n%s", d.LogPath, p)
		}
	}
}

// sendLoop sends messages to addr until stop is closed: perSession per
// SMTP session (0: as many as are accepted), a new session after a failed
// one. Every message goes into tl.
func sendLoop(t *testing.T, addr string, perSession int, tl *tally, stop <-chan struct{}) {
	stopped := func() bool {
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}
	for !stopped() {
		s, r, err := dialGreeted(addr)
		if s == nil {
			tl.add(newToken(t), r, err)
			time.Sleep(20 * time.Millisecond) // the daemon is down: do not spin
			continue
		}
		for i := 0; (perSession == 0 || i < perSession) && !stopped(); i++ {
			tok := newToken(t)
			r, err := s.send(faultMessage(tok, "restart", ""))
			tl.add(tok, r, err)
			if err != nil || r.Code != 250 {
				time.Sleep(20 * time.Millisecond)
				break
			}
		}
		s.quit()
	}
}

// tallyCounts returns the numbers of accepted and tempfailed messages.
func tallyCounts(tl *tally) (ok, temp int) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return len(tl.accepted), len(tl.tempfail)
}

// waitTally waits up to flowTimeout until cond holds for the tally's
// counts; the test fails with what when it does not.
func waitTally(t *testing.T, tl *tally, what string, cond func(ok, temp int) bool) {
	t.Helper()
	deadline := time.Now().Add(flowTimeout)
	for !cond(tallyCounts(tl)) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v: %v", what, flowTimeout, tl)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
