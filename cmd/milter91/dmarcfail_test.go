package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"milter91/config"
	"milter91/internal/arf"
	"milter91/internal/txn"
)

// TestDMARCFailuresOffByDefault: without dmarc.failure_reports the daemon
// starts no reporter, and the nil reporter takes answers and sends nothing.
func TestDMARCFailuresOffByDefault(t *testing.T) {
	cfg, err := config.Parse("m.yml", []byte("listen: inet:127.0.0.1:1\n"))
	if err != nil {
		t.Fatal(err)
	}
	r := (&daemon{}).startDMARCFailures(cfg)
	if r != nil {
		t.Fatalf("a reporter started with the default config")
	}
	r.Answered(txn.Answer{})
	closeDMARCFailures(r)
}

// TestDMARCFailuresSendmail: enabled, a DMARC fail under a record with
// ruf reaches the sendmail command as a redacted auth-failure report to
// the verified destination (closing the reporter waits for the queue).
func TestDMARCFailuresSendmail(t *testing.T) {
	dns := startDNS(t)
	dir := t.TempDir()
	got := filepath.Join(dir, "sent.eml")
	script := writeFile(t, dir, "sendmail.sh", "#!/bin/sh\ncat > "+got+"\n")
	if err := os.Chmod(script, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse("m.yml", []byte(baseConfig+"dmarc:\n  failure_reports: {enabled: true, from: dmarc-noreply@mx.example.net, sendmail: "+script+" -t}\n"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.DNS.Servers = []string{dns.Addr()}
	res, err := newResolver(cfg)
	if err != nil {
		t.Fatal(err)
	}
	d := &daemon{logger: slog.New(slog.DiscardHandler), res: res}
	r := d.startDMARCFailures(cfg)
	out := &txn.Outcome{}
	out.Facts.DMARC = txn.DMARC{Result: txn.ResultFail, Domain: "example.com", PolicyDomain: "example.com",
		Record: &txn.DMARCRecord{P: "reject", FO: "0", RUF: []string{"mailto:ruf@example.com"}}}
	r.Answered(txn.Answer{Time: time.Now(), MailFrom: "ann@example.com", Outcome: out, Action: txn.ActionReject,
		Headers: []txn.Header{{Name: "From", Value: " Ann <ann@example.com>"}, {Name: "Authentication-Results", Value: " mx.example.net; dmarc=fail header.from=example.com"}}})
	closeDMARCFailures(r)
	msg, err := os.ReadFile(got)
	if err != nil {
		t.Fatalf("no report sent: %v", err)
	}
	rep, err := arf.Parse(bytes.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(msg, []byte("\r\nTo: <ruf@example.com>\r\n")) || rep.FeedbackType != arf.TypeAuthFailure ||
		rep.HeaderValue("From") != "Ann <redacted@example.com>" || rep.OriginalMailFrom != "redacted@example.com" ||
		len(rep.AuthResults) != 1 || rep.AuthResults[0] != "mx.example.net; dmarc=fail header.from=example.com" {
		t.Errorf("report %+v\n%s", rep, msg)
	}
}
