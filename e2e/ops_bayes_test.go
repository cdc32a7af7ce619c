package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// slotOpsBayes is the daemon of TestOpsLearnAndClassify: the classifier
// on (min_learned 2) and the admin API.
const slotOpsBayes = "ops-bayes"

func init() { slotNames = append(slotNames, slotOpsBayes) }

// A daemon with the content classifier learns from an mbox, a maildir and
// a pipe through `milter91 learn`; a message like the learned spam then
// arrives through Postfix tagged by BAYES_SPAM, one like the ham without
// it, and the daemon's health shows the classifier's store.
func TestOpsLearnAndClassify(t *testing.T) {
	e := needEnv(t)
	_, cfg, base, token := adminDaemon(t, e, slotOpsBayes, "bayes:\n  enabled: true\n  min_learned: 2\n")
	dir := t.TempDir()
	mbox := filepath.Join(dir, "junk.mbox")
	spam := func(n int) string {
		return fmt.Sprintf("From: deals@example.org\nSubject: offer %d\nMessage-ID: <s%d@example.org>\n\ncheap pills casino winner offer %d\n", n, n, n)
	}
	ham := func(n int) string {
		return fmt.Sprintf("From: colleague@example.org\nSubject: minutes %d\nMessage-ID: <h%d@example.org>\n\nmeeting minutes agenda project %d\n", n, n, n)
	}
	if err := os.WriteFile(mbox, []byte("From x Mon Dec  1 10:00:00 2026\n"+spam(1)+"\nFrom x Mon Dec  1 10:00:01 2026\n"+spam(2)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	maildir := filepath.Join(dir, "Maildir")
	for i, sub := range []string{"cur", "new"} {
		os.MkdirAll(filepath.Join(maildir, sub), 0o755)
		os.WriteFile(filepath.Join(maildir, sub, fmt.Sprintf("%d.host", i)), []byte(ham(i)), 0o644)
	}
	if out := milter91CLI(t, e, "learn", "spam", "--config", cfg, mbox); !strings.Contains(out, "spam: 2 learned") {
		t.Fatalf("learn spam from the mbox:\n%s", out)
	}
	if out := milter91CLI(t, e, "learn", "ham", "--config", cfg, maildir); !strings.Contains(out, "ham: 2 learned") {
		t.Fatalf("learn ham from the maildir:\n%s", out)
	}
	cmd := exec.Command(e.bin, "learn", "ham", "--config", cfg, "-")
	cmd.Stdin = strings.NewReader(ham(7))
	if out, err := cmd.CombinedOutput(); err != nil || !bytes.Contains(out, []byte("ham: 1 learned")) {
		t.Fatalf("learn ham from a pipe: %v\n%s", err, out)
	}

	tl := &tally{}
	spamTok, hamTok := newToken(t), newToken(t)
	for _, m := range []struct{ tok, body string }{{spamTok, "cheap pills casino winner"}, {hamTok, "meeting minutes agenda"}} {
		r, err := sendOnce(e.smtpAddr(slotOpsBayes), faultMessage(m.tok, "classified", m.body+"\r\n"))
		if err != nil || r.Code != 250 {
			t.Fatalf("send: %v %v", r, err)
		}
		tl.add(m.tok, r, nil)
	}
	if h := delivered(t, e, messageID(spamTok)).header(); !bytes.Contains(h, []byte("BAYES_SPAM")) {
		t.Errorf("the spam-like message arrived without BAYES_SPAM:\n%s", h)
	}
	if h := delivered(t, e, messageID(hamTok)).header(); bytes.Contains(h, []byte("BAYES_SPAM")) {
		t.Errorf("the ham-like message arrived with BAYES_SPAM:\n%s", h)
	}
	if a := adminCall(t, base, token, "GET", "/v1/health", nil); a.Status != 200 || !bytes.Contains(a.Body, []byte(`"bayes":"ok"`)) {
		t.Errorf("health: %d %s", a.Status, a.Body)
	}
	verifyDelivery(t, e, tl)
}
