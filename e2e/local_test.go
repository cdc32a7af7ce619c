package e2e

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// slotLocal's milter is the instance's non_smtpd_milters: it judges the
// mail sendmail(1) submits.
const slotLocal = "local"

func init() {
	slotNames = append(slotNames, slotLocal)
	nonSMTPDSlot = slotLocal
}

// sendmailBin is Postfix's sendmail(1).
const sendmailBin = "/usr/sbin/sendmail"

// sendmail submits data (header and body) through the private instance's
// sendmail(1) (-C its config directory) as envelope sender from, the
// recipients taken from the header (-t), as a web application does.
func sendmail(t *testing.T, e *env, from string, data []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), postfixTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, sendmailBin, "-C", e.postfix.ConfigDir, "-f", from, "-t", "-i")
	cmd.Stdin = bytes.NewReader(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sendmail: %v: %s", err, out)
	}
}

// TestLocalSubmission: an ad a web application submits with sendmail(1)
// reaches the milter through non_smtpd_milters without an SMTP client:
// it is judged outbound (decree91.local_direction, default outbound),
// SPF, DKIM, DMARC and the blocklists do not judge it (no
// Authentication-Results), and the summary line says local; with
// local_direction: inbound it is an inbound ad.
func TestLocalSubmission(t *testing.T) {
	e := needEnv(t)
	for _, tc := range []struct{ name, extra, want string }{
		{"default outbound", "", "ad; direction=outbound;"},
		{"local_direction inbound", "decree91:\n  local_direction: inbound\n", "ad; direction=inbound;"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := opsDaemon(t, e, slotLocal, []string{slotLocal}, tc.extra)
			tok := newToken(t)
			data := adMail{Token: tok, To: recipient, Subject: "[AD] Autumn sale"}.build()
			sendmail(t, e, shopSender, data)
			m := delivered(t, e, tok)
			if got := fieldValues(m, "X-Decree91"); len(got) != 1 || !strings.HasPrefix(got[0], tc.want) {
				t.Errorf("X-Decree91 %q, want one starting %q", got, tc.want)
			}
			if ars, _ := ourAR(t, m); len(ars) != 0 {
				t.Errorf("Authentication-Results %q on locally submitted mail", ars)
			}
			// The Received field of local mail says "from userid", not
			// "with ESMTP id": the daemon judged this one message only.
			line, err := d.waitLog(withField("from", shopSender), 15*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if line["local"] != true || line["client_ip"] != "" || line["action"] != "accept" {
				t.Errorf("summary line %v, want local, no client IP, accept", line)
			}
		})
	}
}
