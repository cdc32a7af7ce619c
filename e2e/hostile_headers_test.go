package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"milter91/internal/loadgen"
)

// slotHostile is TestHostileHeaders' daemon: the shared config plus the
// header archive.
const slotHostile = "hostile-headers"

func init() { slotNames = append(slotNames, slotHostile) }

// The worst cases of TestHostileHeaders, raised from the environment for
// the figures in BENCHMARKS.md (10 MiB of folded header, 80 000 forged
// Authentication-Results). The defaults stay under the milter session's
// header caps, so that a plain e2e run checks the behaviour quickly.
const (
	envFoldedBytes = "MILTER91_E2E_FOLDED_BYTES" // bytes of folded header fields (default 768 KiB)
	envForgedAR    = "MILTER91_E2E_FORGED_AR"    // forged Authentication-Results fields (default 500)
	// envHostileConfig is YAML appended to the daemon's config, e.g. to
	// raise the session's header caps for the worst cases.
	envHostileConfig = "MILTER91_E2E_HOSTILE_CONFIG"
)

// forgedMark is in every forged Authentication-Results field and nowhere
// else in the message.
const forgedMark = "forger"

// foldedFieldBytes keeps each folded field under Postfix's
// header_size_limit (102400 bytes per field; the excess is discarded).
const foldedFieldBytes = 64 << 10

// A message with a large folded header (many fields of 5-byte
// continuation lines, after a DKIM signature that does not cover them)
// and one with many forged Authentication-Results claiming our
// authserv-id go through Postfix and the milter: both are accepted and
// delivered with the header intact, DKIM passes, every forged field is
// removed from the delivered message and from its archive record. The
// daemon's CPU time and peak memory are logged (BENCHMARKS.md).
func TestHostileHeaders(t *testing.T) {
	e := needEnv(t)
	dir := filepath.Join(e.root, "d-"+slotHostile)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	extra := fmt.Sprintf("archive:\n  store: %q\n%s", filepath.Join(dir, "archive.db"), os.Getenv(envHostileConfig))
	d, cfg := opsDaemon(t, e, slotHostile, []string{slotHostile}, extra)
	t.Run("folded", func(t *testing.T) {
		size := envSize(t, envFoldedBytes, 768<<10)
		tok := newToken(t)
		block := foldedBlock(size)
		data := dkimSign(t, e.dkimKey, mail{Token: tok, From: "<alice@" + goodDomain + ">", Subject: "folded"}.build())
		data = appendFields(data, block)
		m := sendMeasured(t, e, d, tok, data)
		if !bytes.Contains(m.header(), block) {
			t.Errorf("the %d bytes of folded fields did not arrive unchanged", len(block))
		}
		ars, _ := ourAR(t, m)
		if len(ars) != 1 {
			t.Fatalf("%d ARs of ours, want 1", len(ars))
		}
		if _, res := authResults(t, ars[0]); res["dkim"] != "pass" || res["spf"] != "pass" || res["dmarc"] != "pass" {
			t.Errorf("AR %q, want spf, dkim and dmarc pass", ars[0])
		}
	})
	t.Run("forged Authentication-Results", func(t *testing.T) {
		n := envSize(t, envForgedAR, 500)
		tok := newToken(t)
		var block bytes.Buffer
		for i := range n {
			fmt.Fprintf(&block, "Authentication-Results: %s; spf=pass smtp.mailfrom=%s%d@%s\r\n", authservID, forgedMark, i, goodDomain)
		}
		data := appendFields(faultMessage(tok, "forged", "").Data, block.Bytes())
		m := sendMeasured(t, e, d, tok, data)
		if ars, _ := ourAR(t, m); len(ars) != 1 || strings.Contains(ars[0], forgedMark) {
			t.Errorf("%d ARs of ours delivered, want only the milter's: %.200q", len(ars), ars)
		}
		recs := searchHeaders(t, e, "--config", cfg, "--since", time.Now().UTC().Format(time.DateOnly), "--message-id", messageID(tok))
		if len(recs) != 1 {
			t.Fatalf("%d archive records, want 1", len(recs))
		}
		if got := strings.Count(recs[0].Header, forgedMark); got != 0 {
			t.Errorf("archived header keeps %d forged Authentication-Results", got)
		}
		if !strings.Contains(recs[0].Header, "Authentication-Results: "+authservID+";") {
			t.Errorf("archived header lacks the milter's Authentication-Results")
		}
		logUsage(t, d, "after the archive record was written")
	})
}

// envSize reads a positive count from the environment variable name; def
// when it is unset.
func envSize(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

// foldedBlock returns header fields X-Folded-1, -2, … of about size bytes
// in all, each a short first line and 5-byte continuation lines (" ab"
// CRLF) up to foldedFieldBytes.
func foldedBlock(size int) []byte {
	var b bytes.Buffer
	b.Grow(size + foldedFieldBytes)
	for i := 1; b.Len() < size; i++ {
		start := b.Len()
		fmt.Fprintf(&b, "X-Folded-%d: start\r\n", i)
		for b.Len()-start < foldedFieldBytes && b.Len() < size {
			b.WriteString(" ab\r\n")
		}
	}
	return b.Bytes()
}

// appendFields puts the header fields block (CRLF-terminated lines) at
// the end of msg's header.
func appendFields(msg, block []byte) []byte {
	end := bytes.Index(msg, []byte("\r\n\r\n")) + 2
	out := make([]byte, 0, len(msg)+len(block))
	out = append(out, msg[:end]...)
	out = append(out, block...)
	return append(out, msg[end:]...)
}

// sendMeasured sends data from alice@goodDomain, requires a 250 reply,
// the daemon's accept line for it without a fault and the delivery, logs
// what the message cost the daemon and returns the delivered message.
func sendMeasured(t *testing.T, e *env, d *daemon, tok string, data []byte) sinkMessage {
	t.Helper()
	before := logUsage(t, d, "before")
	start := time.Now()
	r, err := sendOnce(e.smtpAddr(slotHostile), outMessage{From: "alice@" + goodDomain, To: []string{recipient}, Data: data})
	after := logUsage(t, d, "after the reply")
	t.Logf("%d-byte message: reply %v after %v; daemon CPU %.2f s for it, peak RSS %.1f MiB (%+.1f MiB)",
		len(data), r, time.Since(start).Round(time.Millisecond), (after.cpu - before.cpu).Seconds(),
		float64(after.HWM)/(1<<20), float64(after.HWM-before.HWM)/(1<<20))
	if err != nil || r.Code != 250 {
		t.Fatalf("reply %v (err %v), want 250", r, err)
	}
	rec, err := d.waitLog(withField("queue_id", r.queueID()), sinkTimeout)
	if err != nil {
		t.Fatal(err)
	}
	if rec["action"] != "accept" || rec["fault"] != nil {
		t.Errorf("log line action %v fault %v, want accept without a fault", rec["action"], rec["fault"])
	}
	return delivered(t, e, tok)
}

// usage is the daemon's CPU time so far and its memory.
type usage struct {
	memory
	cpu time.Duration
}

// logUsage reads and logs the daemon's usage at the moment when.
func logUsage(t *testing.T, d *daemon, when string) usage {
	t.Helper()
	cpu, err := loadgen.ProcessCPU(d.cmd.Process.Pid)
	if err != nil {
		t.Fatalf("daemon CPU: %v", err)
	}
	u := usage{memory: daemonMemory(t, d), cpu: cpu}
	t.Logf("daemon %s: CPU %.2f s, %v", when, cpu.Seconds(), u.memory)
	return u
}
