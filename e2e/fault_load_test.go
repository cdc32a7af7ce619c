package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// loadSessions is the number of SMTP sessions held open at once.
const loadSessions = 1000

// loadDialing bounds the connections waiting for their greeting. The
// smtpd listen backlog is fixed when Postfix starts (max of the service's
// process limit and default_process_limit, 100 here) and a reload keeps
// the socket: a burst of 1,000 SYNs overflows it and the kernel resets
// the excess connections before Postfix sees them. Pacing the connects
// below the backlog still leaves all sessions open at the same time.
const loadDialing = 64

// 1,000 SMTP sessions open at the same time, each with one message: every
// sender gets 250 or a 4xx (none here once Postfix may run enough smtpd
// processes), every 250 arrives once, the daemon's memory stays bounded
// and it logs no error.
func TestFaultConcurrentSessions(t *testing.T) {
	e := needEnv(t)
	d, _ := faultDaemon(t, e, slotFaultLoad, e.dns.Addr(), "milter91.log", nil)
	// Postfix's default_process_limit (100) would queue the other sessions
	// in the listen backlog; the slot's smtpd may run one per session.
	setMaxproc(t, e, slotFaultLoad, strconv.Itoa(loadSessions+50))

	tl := &tally{}
	var greeted, done sync.WaitGroup
	start := make(chan struct{})
	dialing := make(chan struct{}, loadDialing)
	for range loadSessions {
		tok := newToken(t)
		greeted.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			dialing <- struct{}{}
			s, r, err := dialGreeted(e.smtpAddr(slotFaultLoad))
			<-dialing
			greeted.Done()
			if s == nil {
				tl.add(tok, r, err)
				return
			}
			defer s.quit()
			<-start
			r, err = s.send(faultMessage(tok, "load", ""))
			tl.add(tok, r, err)
		}()
	}
	greeted.Wait()
	// Postfix connects to the milter before its greeting, so every
	// greeted session holds a milter connection now.
	conns := socketCount(t, d)
	t.Logf("sessions greeted and open: %d; daemon sockets: %d", loadSessions-tl.sent(), conns)
	close(start)
	done.Wait()

	t.Logf("%d concurrent sessions: %v", loadSessions, tl)
	if len(tl.accepted)+len(tl.tempfail) != loadSessions {
		t.Errorf("want only 250 or 4xx: %v", tl)
	}
	if open := loadSessions - len(tl.noReply); conns < open {
		t.Errorf("daemon held %d sockets while %d sessions were open, want one milter connection each", conns, open)
	}
	t.Logf("arrived at the sink: %d", verifyDelivery(t, e, tl))
	checkMemory(t, d, maxDaemonRSS)
	if p := logProblems(d, true); len(p) > 0 {
		t.Errorf("daemon log has %d error lines, e.g.:\n%s", len(p), p[0])
	}
}

// setMaxproc sets the process limit (master.cf's maxproc column) of slot's
// smtpd service in the shared instance and reloads Postfix; the test's end
// restores the default ("-"). Only this slot's service changes.
func setMaxproc(t *testing.T, e *env, slot, maxproc string) {
	t.Helper()
	set := func(value string) error {
		field := fmt.Sprintf("%d/inet/process_limit=%s", e.slots[slot].Port, value)
		if out, err := exec.Command(postconfBin, "-c", e.postfix.ConfigDir, "-Fe", field).CombinedOutput(); err != nil {
			return fmt.Errorf("postconf -Fe %s: %w\n%s", field, err, out)
		}
		return e.postfix.reload()
	}
	if err := set(maxproc); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := set("-"); err != nil {
			t.Error(err)
		}
	})
}

// reload runs `postfix reload` and waits until the master logged that it
// reread its configuration (the command returns after signalling it).
func (p *postfixInstance) reload() error {
	before := strings.Count(tailFile(p.Maillog, 1<<30), "reload -- ")
	if err := p.run(context.Background(), "reload"); err != nil {
		return err
	}
	deadline := time.Now().Add(postfixTimeout)
	for strings.Count(tailFile(p.Maillog, 1<<30), "reload -- ") <= before {
		if time.Now().After(deadline) {
			return fmt.Errorf("postfix logged no reload within %v", postfixTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

// socketCount is the number of sockets the daemon has open (listener,
// milter connections, DNS).
func socketCount(t *testing.T, d *daemon) int {
	t.Helper()
	dir := fmt.Sprintf("/proc/%d/fd", d.cmd.Process.Pid)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("daemon sockets: %v", err)
	}
	n := 0
	for _, ent := range entries {
		if target, err := os.Readlink(dir + "/" + ent.Name()); err == nil && strings.HasPrefix(target, "socket:") {
			n++
		}
	}
	return n
}
