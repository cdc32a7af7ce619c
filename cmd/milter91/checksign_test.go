package main

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
)

// check --direction outbound --auth-user U shows the DKIM-Signature serve
// would add, which verifies over the message; a user of another domain
// gets none, and the reason.
func TestCheckShowsSignature(t *testing.T) {
	dns := startDNS(t)
	dir := t.TempDir()
	key := filepath.Join(dir, "example.com.s2026e.key")
	gen := runCmd("", "dkim", "keygen", "--domain", "example.com", "--selector", "s2026e", "--algorithm", "ed25519", "--out", key)
	if gen.code != 0 {
		t.Fatalf("keygen: exit %d: %s", gen.code, gen.stderr)
	}
	// The printed zone line: s2026e._domainkey.example.com. IN TXT "v=DKIM1; k=ed25519; p=…"
	_, record, ok := strings.Cut(strings.TrimSpace(gen.stdout), `TXT "`)
	if !ok {
		t.Fatalf("keygen printed %q", gen.stdout)
	}
	record = strings.TrimSuffix(record, `"`)
	cfg := writeFile(t, dir, "milter91.yml", baseConfig+`dkim:
  sign:
    - {domain: example.com, selector: s2026e, key: example.com.s2026e.key}
`)
	msg := writeFile(t, dir, "msg.eml", unsigned)
	check := func(user string) checkJSON {
		r := runCmd("", "check", "--config", cfg, "--dns", dns.Addr(), "--ip", cleanIP, "--from", "alice@example.com",
			"--rcpt", "bob@example.net", "--direction", "outbound", "--auth-user", user, "--json", msg)
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		return decodeCheck(t, r.stdout)
	}
	c := check("alice@example.com")
	var sig string
	for _, h := range c.Headers {
		if h.Name == "DKIM-Signature" {
			sig = h.Value
		}
	}
	if !strings.Contains(sig, "d=example.com") || !strings.Contains(sig, "s=s2026e") || !strings.Contains(sig, "a=ed25519-sha256") {
		t.Fatalf("headers %+v: want a DKIM-Signature d=example.com s=s2026e", c.Headers)
	}
	signedMsg := "DKIM-Signature: " + sig + "\r\n" + strings.ReplaceAll(unsigned, "\n", "\r\n")
	vs, err := dkim.VerifyWithOptions(strings.NewReader(signedMsg), &dkim.VerifyOptions{
		LookupTXT: func(name string) ([]string, error) {
			if name == "s2026e._domainkey.example.com" {
				return []string{record}, nil
			}
			return nil, errors.New("no record")
		},
	})
	if err != nil || len(vs) != 1 || vs[0].Err != nil {
		t.Fatalf("the signature shown does not verify: %v %+v", err, vs)
	}

	r := runCmd("", "check", "--config", cfg, "--dns", dns.Addr(), "--ip", cleanIP, "--from", "alice@example.com",
		"--direction", "outbound", "--auth-user", "mallory@example.org", msg)
	if r.code != 0 || strings.Contains(r.stdout, "DKIM-Signature") || !strings.Contains(r.stdout, "dkim:   not signed: SASL user \"mallory@example.org\" may not sign for example.com") {
		t.Errorf("another domain's user: exit %d, output:\n%s%s", r.code, r.stdout, r.stderr)
	}
}
