package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"milter91/internal/dkimsign"
)

// signKey is one key of the signing daemon: its file and DNS record.
type signKey struct {
	selector, path, record string
}

// newSignKey writes a key of alg (mode 0600) into dir.
func newSignKey(t *testing.T, dir, selector, alg string) signKey {
	t.Helper()
	key, pemData, err := dkimsign.GenerateKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := dkimsign.KeyRecord(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, selector+".key")
	if err := os.WriteFile(path, pemData, 0o600); err != nil {
		t.Fatal(err)
	}
	return signKey{selector: selector, path: path, record: rec}
}

// writeSignConfig writes the signing daemon's config: the e2e config,
// mail with {daemon_name} ORIGINATING outbound, the DMARC report entries
// in dmarc.db beside it, and dkim.sign with keys for goodDomain in order.
func writeSignConfig(t *testing.T, path string, keys ...signKey) {
	t.Helper()
	if err := writeDaemonConfig(path, shared.slots[slotSign].MilterAddr, nil); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "decree91:\n  outbound_daemon_names: [%s]\ndmarc:\n  report_store: dmarc.db\ndkim:\n  sign:\n", outboundDaemonName)
	for _, k := range keys {
		fmt.Fprintf(&b, "    - {domain: %s, selector: %s, key: %q}\n", goodDomain, k.selector, k.path)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteString(b.String())
	if err = errors.Join(err, f.Close()); err != nil {
		t.Fatal(err)
	}
}

// verifyAtSink verifies the message as the sink received it with
// go-msgauth against keys' records and returns how many signatures of
// goodDomain pass; the test fails on any that does not.
func verifyAtSink(t *testing.T, m sinkMessage, keys ...signKey) int {
	t.Helper()
	records := map[string]string{}
	for _, k := range keys {
		records[k.selector+"._domainkey."+goodDomain] = k.record
	}
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(m.Data), &dkim.VerifyOptions{
		LookupTXT: func(name string) ([]string, error) {
			if r, ok := records[name]; ok {
				return []string{r}, nil
			}
			return nil, fmt.Errorf("no record for %s", name)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	pass := 0
	for _, v := range vs {
		if v.Err != nil || v.Domain != goodDomain {
			t.Errorf("signature d=%s: %v\n%s", v.Domain, v.Err, m.Data)
			continue
		}
		pass++
	}
	return pass
}

// sigSelector reports whether m carries a DKIM-Signature with s=selector.
func sigSelector(m sinkMessage, selector string) bool {
	for _, f := range headerFields(m.header()) {
		if fieldName(f) == "dkim-signature" && strings.Contains(strings.Join(strings.Fields(fieldValue(f)), ""), "s="+selector+";") {
			return true
		}
	}
	return false
}

// hop2Rcpt is routed by the shared Postfix to the second instance
// (startHop2), which relays it to the sink.
const hop2Rcpt = "hop2@example.net"

// startHop2 starts a second private Postfix (myhostname mx2.e2e.test)
// whose smtpd runs the shared daemon (slotMain: inbound checks, DKIM
// verification with the test DNS) and relays to the sink, and routes
// hop2Rcpt from the shared instance to it until the test ends.
func startHop2(t *testing.T, e *env) *postfixInstance {
	t.Helper()
	port := freePort()
	ctx := context.Background()
	p, err := startPostfixHost(ctx, filepath.Join(e.root, "pf2"), "mx2.e2e.test", e.sink.Addr(),
		[]smtpdListener{{Port: port, MilterAddr: e.slots[slotMain].MilterAddr}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("second postfix maillog tail:\n%s", tailFile(p.Maillog, 8<<10))
		}
		if err := p.stop(); err != nil {
			t.Error(err)
		}
	})
	route := fmt.Sprintf("transport_maps = inline:{%s=smtp:[127.0.0.1]:%d}", hop2Rcpt, port)
	if err := e.postfix.set(ctx, route); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.postfix.set(context.Background(), "transport_maps ="); err != nil {
			t.Error(err)
		}
	})
	return p
}

// A message submitted through the outbound service leaves Postfix signed
// by milter91 (RSA and Ed25519: dual signing) over what the next hop
// receives, an 8-bit UTF-8 body included: it crosses a second Postfix,
// whose milter91 finds both signatures pass, and both verify with
// go-msgauth at the sink. After a SIGHUP that puts a new Ed25519 selector
// first, the next message is signed with it. The daemon kept both
// messages' DMARC inputs, from which `dmarc report` builds the domain's
// aggregate report.
func TestSignedMessageVerifiesAtNextHop(t *testing.T) {
	e := needEnv(t)
	start := time.Now().UTC()
	dir := filepath.Join(e.root, "d-"+slotSign)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	rsaKey := newSignKey(t, dir, "s2026r", dkimsign.AlgRSA)
	edKey := newSignKey(t, dir, "s2026e", dkimsign.AlgEd25519)
	for _, k := range []signKey{rsaKey, edKey} {
		if err := e.zone.AddTXT(k.selector+"._domainkey."+goodDomain, 300, k.record); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(dir, "milter91.yml")
	writeSignConfig(t, cfg, rsaKey, edKey)
	d, err := startDaemon(context.Background(), e.bin, cfg, e.dns.Addr(), e.slots[slotSign].MilterAddr, filepath.Join(dir, "milter91.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if d.running() {
			if err := d.stop(30 * time.Second); err != nil {
				t.Error(err)
			}
		}
		if t.Failed() {
			t.Logf("milter91 (sign) log tail:\n%s", tailFile(d.LogPath, 16<<10))
		}
	})
	startHop2(t, e)
	send := func(rcpt string) sinkMessage {
		t.Helper()
		tok := newToken(t)
		data := mail{Token: tok, From: "Alice <alice@" + goodDomain + ">", Subject: "Xin chào",
			Extra: []string{"Content-Transfer-Encoding: 8bit"},
			Body:  "Chào bạn,\r\nthư này có chữ ký DKIM của milter91.\r\n\r\n\r\n"}.build()
		s := openSession(t, e.smtpAddr(slotSign), "client.example.test", "")
		if r := mustSend(t, s, outMessage{From: "alice@" + goodDomain, To: []string{rcpt}, Data: data}); r.Code != 250 {
			t.Fatalf("reply %v, want 250", r)
		}
		return delivered(t, e, tok)
	}
	m := send(hop2Rcpt)
	if !bytes.Contains(m.header(), []byte("by mx2.e2e.test")) {
		t.Fatalf("the message did not cross the second Postfix:\n%s", m.header())
	}
	if n := verifyAtSink(t, m, rsaKey, edKey); n != 2 || !sigSelector(m, "s2026r") || !sigSelector(m, "s2026e") {
		t.Fatalf("%d signatures verify, want s2026r and s2026e:\n%s", n, m.Data)
	}
	ars, _ := ourAR(t, m)
	if len(ars) != 1 || strings.Count(strings.Join(strings.Fields(ars[0]), " "), "dkim=pass header.d="+goodDomain) != 2 {
		t.Errorf("the second hop's milter91 says %q, want two dkim=pass for %s", ars, goodDomain)
	}
	if !bytes.Contains(m.body(), []byte("chữ ký")) {
		t.Errorf("the 8-bit body was converted on the way:\n%s", m.body())
	}

	next := newSignKey(t, dir, "s2027e", dkimsign.AlgEd25519)
	writeSignConfig(t, cfg, rsaKey, next, edKey)
	if err := d.signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if _, err := d.waitLog(withField("msg", "reloaded config and rules"), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	m = send(recipient)
	if !sigSelector(m, "s2027e") || sigSelector(m, "s2026e") {
		t.Fatalf("after the reload: want a signature by s2027e, none by s2026e:\n%s", m.header())
	}
	if n := verifyAtSink(t, m, rsaKey, next, edKey); n != 2 {
		t.Fatalf("%d signatures verify after the reload, want 2:\n%s", n, m.Data)
	}

	// The DMARC evaluations of both messages (pass, aligned SPF and DKIM)
	// were kept; the daemon writes what is queued when it stops.
	if err := d.stop(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "reports")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	milter91CLI(t, e, "dmarc", "report", "--config", cfg, "--since", start.Add(-time.Minute).Format(time.RFC3339),
		"--until", time.Now().UTC().Add(time.Minute).Format(time.RFC3339),
		"--org-name", "e2e", "--email", "dmarc@e2e.test", "--out-dir", out)
	files, _ := filepath.Glob(filepath.Join(out, "*!"+goodDomain+"!*.xml.gz"))
	if len(files) != 1 {
		t.Fatalf("report files %v, want one for %s", files, goodDomain)
	}
}
