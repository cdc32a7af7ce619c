package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const (
	// outboundDaemonName is the {daemon_name} of slotDecreeOut, listed in
	// the decree daemon's decree91.outbound_daemon_names (README: Postfix
	// submission with -o milter_macro_daemon_name=ORIGINATING).
	outboundDaemonName = "ORIGINATING"
	// shopSender sends the test ads.
	shopSender = "news@shop.example.com"
	// advertiserID is the advertiser id of shopSender's ads: the
	// organizational domain (Public Suffix List) of the From domain
	// shop.example.com, as no aligned DKIM signature passes. The registry
	// CLI accepts only organizational domains.
	advertiserID = "example.com"
	// refusalMailbox is the shop's address for refusals by email
	// (Decree 91/2020 Art. 20.2).
	refusalMailbox = "unsub@shop.example.com"
	// adEnvelopeDomain is declared in the decree daemon's
	// decree91.ad_envelope_senders: its mail is all ads of advertiserID,
	// known at RCPT.
	adEnvelopeDomain = "ads.shop.example.com"
	// abuseMailbox takes users' spam reports (reports.abuse_mailboxes).
	abuseMailbox = "abuse@example.net"
)

// registryPath is the decree daemon's decree91.registry (SQLite).
func (e *env) registryPath() string {
	return filepath.Join(e.root, "d-"+slotDecree, "registry.db")
}

// startDecreeDaemon starts the Decree 91 daemon on slotDecree's milter
// address: the usual test config plus a registry in its directory,
// outboundDaemonName as the outbound {daemon_name} and adEnvelopeDomain as
// an envelope sender of ads only. Its inbound scope is all: the test ads
// are in English from a .com advertiser, out of the default scope
// (Vietnamese text or a .vn advertiser).
func (e *env) startDecreeDaemon(ctx context.Context) (*daemon, error) {
	dir := filepath.Join(e.root, "d-"+slotDecree)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	cfg := filepath.Join(dir, "milter91.yml")
	milterAddr := e.slots[slotDecree].MilterAddr
	if err := writeDaemonConfig(cfg, milterAddr, nil); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	_, err = fmt.Fprintf(f, "decree91:\n  registry: %q\n  outbound_daemon_names: [%s]\n  ad_envelope_senders: [%s]\n  inbound_scope: all\nreports:\n  abuse_mailboxes: [%s]\n",
		e.registryPath(), outboundDaemonName, adEnvelopeDomain, abuseMailbox)
	if err = errors.Join(err, f.Close()); err != nil {
		return nil, err
	}
	return startDaemon(ctx, e.bin, cfg, e.dns.Addr(), milterAddr, filepath.Join(dir, "milter91.log"))
}

// decreeEnv is needEnv plus the decree daemon's log in a failed test's
// output.
func decreeEnv(t *testing.T) *env {
	t.Helper()
	e := needEnv(t)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("milter91 (decree) log tail:\n%s", tailFile(e.decree.LogPath, 16<<10))
		}
	})
	return e
}

// milter91CLI runs the built milter91 with args and returns its stdout;
// the test fails unless it exits 0. A race-instrumented binary would
// otherwise sleep 1 s at exit (atexit_sleep_ms).
func milter91CLI(t *testing.T, e *env, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(e.bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = append(os.Environ(), "GORACE=halt_on_error=1 exitcode=66 atexit_sleep_ms=0")
	if err := cmd.Run(); err != nil {
		t.Fatalf("milter91 %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return stdout.String()
}

// addConsent records rcpt's consent (method form, Art. 11.2.b) to ads from
// advertiserID in the decree daemon's registry, through the CLI.
func addConsent(t *testing.T, e *env, rcpt string) {
	t.Helper()
	milter91CLI(t, e, "consent", "add", "--db", e.registryPath(), "--advertiser", advertiserID,
		"--rcpt", rcpt, "--method", "form", "--evidence", "e2e test")
}

// adMail describes an advertising email from shopSender that is complete
// except perhaps for its label: advertiser name, phone, email and address
// (Art. 19) right before an opt-out block with web, email and phone
// channels (Art. 20.1–20.2). build renders it.
type adMail struct {
	Token   string
	To      string   // RFC 5322.To address
	Subject string   // "[AD] …" is labelled (Art. 18)
	OptOut  string   // the opt-out block's email address; "" is refusalMailbox
	Extra   []string // more header fields, raw, without CRLF
}

// build returns the message bytes with CRLF line ends.
func (m adMail) build() []byte {
	if m.OptOut == "" {
		m.OptOut = refusalMailbox
	}
	fields := append([]string{
		"From: Example Shop <" + shopSender + ">",
		"To: <" + m.To + ">",
		"Subject: " + m.Subject,
		"Date: Mon, 06 Jan 2025 10:00:00 +0000",
		"Message-ID: <" + m.Token + "@e2e.test>",
		"X-E2E-ID: " + m.Token,
	}, m.Extra...)
	fields = append(fields, "MIME-Version: 1.0", "Content-Type: text/plain; charset=us-ascii", "")
	body := []string{
		"Dear customer,",
		"",
		"Our autumn sale is on: 30% off everything until 31 October.",
		"Shop now at https://shop.example.com/autumn",
		"",
		"Advertiser: Example Shop Co., Ltd",
		"Address: 1 Example Street, District 1, Ho Chi Minh City, Vietnam",
		"Phone: +84 912 345 678",
		"Email: contact@shop.example.com",
		"",
		"You have the right to refuse all advertising email from Example Shop.",
		"To unsubscribe, visit https://shop.example.com/unsubscribe, email",
		m.OptOut + " or call 1800 1234.",
	}
	return []byte(strings.Join(append(fields, body...), "\r\n") + "\r\n")
}

// fieldValues returns the unfolded values of m's header fields named name
// (case-insensitive), in order.
func fieldValues(m sinkMessage, name string) []string {
	var out []string
	for _, f := range headerFields(m.header()) {
		if fieldName(f) == strings.ToLower(name) {
			out = append(out, fieldValue(f))
		}
	}
	return out
}
