package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"milter91/internal/admin"
	"milter91/internal/bayes"
	"milter91/internal/counter"
)

// learnAPI serves the admin API with a classifier on a Mem store and
// returns its address, a token file for it and the classifier.
func learnAPI(t *testing.T) (addr, tokenFile string, c *bayes.Classifier) {
	t.Helper()
	const token = "learn-test-token-0123456789"
	c, err := bayes.New(counter.NewMem(nil), bayes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h, err := admin.New(admin.Options{Token: []byte(token), Learner: c})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	tokenFile = filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(srv.URL, "http://"), tokenFile, c
}

func msg(subject, text string) string {
	return "From: someone@example.com\nSubject: " + subject + "\n\n" + text + "\n"
}

func TestLearnFromPipe(t *testing.T) {
	addr, tokenFile, c := learnAPI(t)
	// Dovecot's imapsieve runs `milter91 learn spam -` with the message on
	// a pipe: a real one here.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		w.WriteString(msg("cheap pills", "buy cheap pills now"))
		w.Close()
	}()
	defer r.Close()
	var out, errOut bytes.Buffer
	code := run([]string{"learn", "spam", "--admin", addr, "--token-file", tokenFile, "-"}, r, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "spam -: ") || !strings.Contains(out.String(), "site learned (now 1 spam, 0 ham)") ||
		!strings.Contains(out.String(), "spam: 1 learned, 0 moved from the other class, 0 already learned, 0 failed") {
		t.Errorf("output:\n%s", out.String())
	}
	if s, h, _ := c.Learned(context.Background(), bayes.Site); s != 1 || h != 0 {
		t.Errorf("the daemon learned %d spam %d ham, want 1 and 0", s, h)
	}
	// Moved out of Junk: the same message as ham moves it.
	out.Reset()
	code = run([]string{"learn", "ham", "--admin", addr, "--token-file", tokenFile, "--recipient", "bob@example.net", "-"},
		strings.NewReader(msg("cheap pills", "buy cheap pills now")), &out, &errOut)
	if code != 0 || !strings.Contains(out.String(), "site moved (now 0 spam, 1 ham); recipient bob@example.net learned (now 0 spam, 1 ham)") {
		t.Errorf("relearn as ham: exit %d\n%s%s", code, out.String(), errOut.String())
	}
}

func TestLearnMailboxes(t *testing.T) {
	addr, tokenFile, c := learnAPI(t)
	dir := t.TempDir()
	mbox := filepath.Join(dir, "spam.mbox")
	os.WriteFile(mbox, []byte("From a@example.com Mon Dec  1 10:00:00 2026\n"+msg("one", "first spam")+
		"\nFrom a@example.com Mon Dec  1 10:01:00 2026\n"+msg("two", ">From the second spam")+"\n"), 0o600)
	maildir := filepath.Join(dir, "Maildir")
	for _, sub := range []string{"cur", "new", "tmp"} {
		os.MkdirAll(filepath.Join(maildir, sub), 0o700)
	}
	os.WriteFile(filepath.Join(maildir, "cur", "1.host:2,S"), []byte(msg("lunch", "lunch at noon")), 0o600)
	os.WriteFile(filepath.Join(maildir, "new", "2.host"), []byte(msg("notes", "meeting notes")), 0o600)
	os.WriteFile(filepath.Join(maildir, "tmp", "3.host"), []byte(msg("partial", "being delivered")), 0o600)
	single := filepath.Join(dir, "one.eml")
	os.WriteFile(single, []byte(msg("report", "quarterly report")), 0o600)

	for _, tc := range []struct {
		class, path, summary string
	}{
		{"spam", mbox, "spam: 2 learned, 0 moved from the other class, 0 already learned, 0 failed"},
		{"ham", maildir, "ham: 2 learned, 0 moved"},
		{"ham", single, "ham: 1 learned"},
		{"spam", mbox, "spam: 0 learned, 0 moved from the other class, 2 already learned"},
	} {
		var out, errOut bytes.Buffer
		if code := run([]string{"learn", tc.class, "--quiet", "--admin", addr, "--token-file", tokenFile, tc.path}, nil, &out, &errOut); code != 0 ||
			!strings.Contains(out.String(), tc.summary) || strings.Count(out.String(), "\n") != 1 {
			t.Errorf("learn %s %s: exit %d\n%s%s, want %q only", tc.class, tc.path, code, out.String(), errOut.String(), tc.summary)
		}
	}
	if s, h, _ := c.Learned(context.Background(), bayes.Site); s != 2 || h != 3 {
		t.Errorf("learned %d spam %d ham, want 2 and 3 (tmp/ is not read)", s, h)
	}
}

func TestLearnUsageAndFailures(t *testing.T) {
	addr, tokenFile, _ := learnAPI(t)
	var out, errOut bytes.Buffer
	for _, args := range [][]string{{"learn"}, {"learn", "junk", "-"}, {"learn", "spam"}} {
		if code := run(args, strings.NewReader(""), &out, &errOut); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
	errOut.Reset()
	if code := run([]string{"learn", "spam", "--admin", addr, "--token-file", tokenFile, filepath.Join(t.TempDir(), "missing")}, nil, &out, &errOut); code != 1 {
		t.Errorf("a missing file: exit %d, want 1", code)
	}
	bad := filepath.Join(t.TempDir(), "bad")
	os.WriteFile(bad, []byte("wrong-token-0123456789"), 0o600)
	errOut.Reset()
	if code := run([]string{"learn", "spam", "--admin", addr, "--token-file", bad, "-"}, strings.NewReader(msg("x", "y")), &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "401") {
		t.Errorf("a wrong token: exit %d, %s", code, errOut.String())
	}
}

// TestDovecotPipeScript runs the shipped imapsieve program
// (contrib/dovecot/milter91-learn) as Dovecot's vnd.dovecot.pipe does: the
// message on its stdin pipe, the class and the IMAP user as arguments,
// with a milter91 binary built from this package on PATH.
func TestDovecotPipeScript(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	addr, tokenFile, c := learnAPI(t)
	bin := t.TempDir()
	if out, err := exec.Command("go", "build", "-buildvcs=false", "-o", filepath.Join(bin, "milter91"), ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	script, err := filepath.Abs("../../contrib/dovecot/milter91-learn")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ class, env string }{{"spam", "0"}, {"ham", "1"}} {
		cmd := exec.Command("/bin/sh", script, tc.class, "bob@example.net")
		cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
			"MILTER91_ADMIN="+addr, "MILTER91_TOKEN_FILE="+tokenFile, "MILTER91_PER_RECIPIENT="+tc.env)
		cmd.Stdin = strings.NewReader(msg("moved", "a message the user moved"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", tc.class, err, out)
		}
		if !strings.Contains(string(out), tc.class+": 1 learned") && !strings.Contains(string(out), tc.class+": 0 learned, 1 moved") {
			t.Errorf("%s: output %q", tc.class, out)
		}
	}
	if s, h, _ := c.Learned(context.Background(), bayes.Site); s != 0 || h != 1 {
		t.Errorf("site: %d spam %d ham, want the message moved to ham", s, h)
	}
	if s, h, _ := c.Learned(context.Background(), bayes.Recipient("bob@example.net")); s != 0 || h != 1 {
		t.Errorf("bob: %d spam %d ham, want 1 ham (per recipient on the second run only)", s, h)
	}
}
