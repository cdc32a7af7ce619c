package e2e

import (
	"context"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// slotRelayPrimary is the primary MX's smtpd service in TestTrustedRelay:
// the backup MX relays to it.
const slotRelayPrimary = "relay-primary"

func init() { slotNames = append(slotNames, slotRelayPrimary) }

// startBackupMX starts a second private Postfix, backup.e2e.test, without
// a milter, that relays everything to the primary's smtpd at primaryAddr,
// and returns its SMTP address.
func startBackupMX(t *testing.T, e *env, primaryAddr string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	port := freePort()
	p, err := startPostfixHost(ctx, filepath.Join(e.root, "pb"), "backup.e2e.test", primaryAddr, []smtpdListener{{Port: port}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("backup MX maillog tail:\n%s", tailFile(p.Maillog, 8<<10))
		}
		if err := p.stop(); err != nil {
			t.Error(err)
		}
	})
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// TestTrustedRelay: the backup MX (a second Postfix, no milter) relays to
// the primary, whose milter trusts the backup's address
// (trusted_networks: 127.0.0.1). Mail from a client the blocklist lists
// is refused at the primary on the original client's address, which the
// backup's Received field names; mail from another client is delivered,
// judged on its address.
func TestTrustedRelay(t *testing.T) {
	e := needEnv(t)
	d, _ := opsDaemon(t, e, slotRelayPrimary, []string{slotRelayPrimary}, "trusted_networks: [127.0.0.1]\n")
	backup := startBackupMX(t, e, e.smtpAddr(slotRelayPrimary))
	send := func(t *testing.T, client string) string {
		tok := newToken(t)
		s := openSession(t, backup, "client.example.test", "ADDR="+client+" NAME=[UNAVAILABLE]")
		data := mail{Token: tok, From: "<alice@" + goodDomain + ">", Subject: "via the backup MX"}.build()
		if r := mustSend(t, s, outMessage{From: "alice@" + goodDomain, To: []string{recipient}, Data: data}); r.Code != 250 {
			t.Fatalf("backup MX: reply %v, want 250 (it has no milter)", r)
		}
		return tok
	}
	t.Run("listed original client refused", func(t *testing.T) {
		tok := send(t, blockedIP)
		line, err := d.waitLog(withField("external_ip", blockedIP), 30*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if line["action"] != "reject" || line["relay"] != "127.0.0.1" || !strings.Contains(line["reply"].(string), blocklistZone) {
			t.Errorf("primary's summary line %v, want a reject naming %s for the relayed client", line, blocklistZone)
		}
		if e.sink.has(tok) {
			t.Error("the message from the listed client reached the sink")
		}
	})
	t.Run("other client delivered", func(t *testing.T) {
		const client = "127.0.0.5"
		tok := send(t, client)
		m := delivered(t, e, tok)
		if ars, _ := ourAR(t, m); len(ars) != 1 || !strings.Contains(ars[0], "spf=pass") {
			t.Errorf("Authentication-Results %q, want our spf=pass", ars)
		}
		line, err := d.waitLog(withField("external_ip", client), 15*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if line["action"] != "accept" || line["relay"] != "127.0.0.1" {
			t.Errorf("primary's summary line %v, want accept, relay 127.0.0.1", line)
		}
	})
}
