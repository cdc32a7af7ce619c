package e2e

import (
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The size limit is Postfix's message_size_limit, 50 MiB in the harness
// (writeMainCF; Postfix's own default is 10240000): milter91 sets none of
// its own (serve leaves milter.Options.MaxMessageSize at 0). A message
// just under the limit is accepted and arrives intact while the daemon
// keeps the body on disk (spool_threshold 256 KiB): its memory grows by
// far less than the message. One just over the limit gets Postfix's
// 552 5.3.4 and is not delivered.
func TestFaultLargeMessage(t *testing.T) {
	e := needEnv(t)
	limit := messageSizeLimit(t, e)
	spool := filepath.Join(e.root, "d-"+slotFaultBig, "spool")
	if err := os.MkdirAll(spool, 0o755); err != nil {
		t.Fatal(err)
	}
	d, _ := faultDaemon(t, e, slotFaultBig, e.dns.Addr(), "milter91.log", [][2]string{{"spool_dir", spool}})
	tests := []struct {
		name     string
		size     int // message bytes, header included
		wantCode int
		wantEnh  string
	}{
		// The limit counts the envelope and Postfix's Received too.
		{name: "limit less 64 KiB: accepted", size: limit - 64<<10, wantCode: 250, wantEnh: "2.0.0"},
		{name: "limit plus 64 KiB: too large", size: limit + 64<<10, wantCode: 552, wantEnh: "5.3.4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := daemonMemory(t, d)
			tok := newToken(t)
			header := len(faultMessage(tok, "large", "x\r\n").Data) - len("x\r\n")
			body := bigBody(tc.size - header)
			m := faultMessage(tok, "large", body)
			stopWatch, spooled := watchSpool(spool)
			tl := &tally{}
			r, err := sendOnce(e.smtpAddr(slotFaultBig), m)
			tl.add(tok, r, err)
			stopWatch()
			t.Logf("%d-byte message: %v; arrived at the sink: %d", len(m.Data), tl, verifyDelivery(t, e, tl))
			if err != nil || r.Code != tc.wantCode || !strings.HasPrefix(r.Text, tc.wantEnh) {
				t.Fatalf("reply %v (err %v), want %d %s", r, err, tc.wantCode, tc.wantEnh)
			}
			after := checkMemory(t, d, maxDaemonRSS)
			grown := after.HWM - before.RSS
			t.Logf("daemon memory: %.1f MiB before, peak grew by %.1f MiB", float64(before.RSS)/(1<<20), float64(grown)/(1<<20))
			if grown > int64(len(m.Data))/4 {
				t.Errorf("daemon memory grew by %d MiB for a %d MiB message, want under a quarter of it",
					grown>>20, len(m.Data)>>20)
			}
			if tc.wantCode != 250 {
				return
			}
			if !spooled.Load() {
				t.Error("no body spool file appeared in spool_dir while the message was checked")
			}
			got := delivered(t, e, tok)
			if sha256.Sum256(got.body()) != sha256.Sum256([]byte(body)) {
				t.Errorf("body changed: %d bytes at the sink, %d sent", len(got.body()), len(body))
			}
			if ars, _ := ourAR(t, got); len(ars) != 1 {
				t.Errorf("%d ARs of ours, want 1 (the milter checked the message)", len(ars))
			}
			waitSpoolEmpty(t, spool)
		})
	}
}

// messageSizeLimit is the instance's message_size_limit in bytes.
func messageSizeLimit(t *testing.T, e *env) int {
	t.Helper()
	out, err := exec.Command(postconfBin, "-c", e.postfix.ConfigDir, "-h", "message_size_limit").Output()
	if err != nil {
		t.Fatalf("postconf message_size_limit: %v", err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil || n < 1<<20 {
		t.Fatalf("message_size_limit %q: want a limit of at least 1 MiB", out)
	}
	return n
}

// watchSpool polls dir until stop is called and reports whether a file
// appeared in it meanwhile.
func watchSpool(dir string) (stop func(), seen *atomic.Bool) {
	seen = &atomic.Bool{}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
				seen.Store(true)
			}
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	return func() { close(done); <-finished }, seen
}

// waitSpoolEmpty fails the test unless dir is empty within 10 s: the
// daemon removes a body spool file when the message is done, which may
// trail the reply a little.
func waitSpoolEmpty(t *testing.T, dir string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(ents) == 0 {
			return
		}
		if time.Now().After(deadline) {
			names := make([]string, len(ents))
			for i, ent := range ents {
				names[i] = ent.Name()
			}
			t.Fatalf("spool files left in %s: %v", dir, names)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
