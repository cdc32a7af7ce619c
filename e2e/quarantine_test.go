package e2e

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// slotQuarantine is TestQuarantineMethods' smtpd service.
const slotQuarantine = "quarantine"

// quarantineDomain publishes p=quarantine, and SPF fails for any client.
const quarantineDomain = "quarantine.example.test"

func init() { slotNames = append(slotNames, slotQuarantine) }

// TestQuarantineMethods: a DMARC failure of a p=quarantine domain is
// delivered to Junk by default (X-Spam: Yes, X-Milter91-Junk, nothing on
// the hold queue); with quarantine.dmarc_method: hold it waits on
// Postfix's hold queue and does not arrive.
func TestQuarantineMethods(t *testing.T) {
	e := needEnv(t)
	for _, rr := range []string{
		quarantineDomain + `. 300 IN TXT "v=spf1 -all"`,
		"_dmarc." + quarantineDomain + `. 300 IN TXT "v=DMARC1; p=quarantine"`,
	} {
		if err := e.zone.Add(rr); err != nil {
			t.Fatal(err)
		}
	}
	send := func(t *testing.T) (string, reply) {
		tok := newToken(t)
		s := openSession(t, e.smtpAddr(slotQuarantine), "client.example.test", "")
		data := mail{Token: tok, From: "<carol@" + quarantineDomain + ">", Subject: "DMARC quarantine"}.build()
		return tok, mustSend(t, s, outMessage{From: "carol@" + quarantineDomain, To: []string{recipient}, Data: data})
	}
	t.Run("junk by default", func(t *testing.T) {
		d, _ := opsDaemon(t, e, slotQuarantine, []string{slotQuarantine}, "")
		tok, r := send(t)
		if r.Code != 250 {
			t.Fatalf("reply %v, want 250", r)
		}
		m := delivered(t, e, tok)
		if got := fieldValues(m, "X-Spam"); len(got) != 1 || got[0] != "Yes" {
			t.Errorf("X-Spam %q, want Yes", got)
		}
		if got := fieldValues(m, "X-Milter91-Junk"); len(got) != 1 || !strings.Contains(got[0], "DMARC_QUARANTINE") {
			t.Errorf("X-Milter91-Junk %q, want one naming DMARC_QUARANTINE", got)
		}
		line, err := d.waitLog(withField("queue_id", postfixQueueID(m)), 15*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if line["action"] != "quarantine" || line["junk"] != true {
			t.Errorf("summary line %v, want a junk quarantine", line)
		}
	})
	t.Run("hold", func(t *testing.T) {
		opsDaemon(t, e, slotQuarantine, []string{slotQuarantine}, "quarantine:\n  dmarc_method: hold\n")
		tok, r := send(t)
		if r.Code != 250 {
			t.Fatalf("reply %v, want 250", r)
		}
		qid := r.queueID()
		held := postfixCmd(t, e, "/usr/sbin/postqueue", "-p")
		if qid == "" || !strings.Contains(held, qid+"!") {
			t.Fatalf("queue ID %q not held (\"ID!\") in postqueue -p:\n%s", qid, held)
		}
		if e.sink.has(tok) {
			t.Error("the held message reached the sink")
		}
		postfixCmd(t, e, "/usr/sbin/postsuper", "-d", qid, "hold")
	})
}

// postfixCmd runs a Postfix command (postqueue, postsuper) on the private
// instance (-c its config directory) and returns its output.
func postfixCmd(t *testing.T, e *env, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), postfixTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, append([]string{"-c", e.postfix.ConfigDir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v: %s", bin, args, err, out)
	}
	return string(out)
}
