package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"milter91/internal/dmarcstore"
	"milter91/internal/txn"
)

// reportStore writes two entries for example.com (rua: one same-domain
// address, one external that does not confirm) into a new store file.
func reportStore(t *testing.T, dir string, at time.Time) string {
	t.Helper()
	path := filepath.Join(dir, "dmarc.db")
	s, err := dmarcstore.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var in []dmarcstore.Stored
	for i := range 2 {
		e, ok := dmarcstore.NewEntry(txn.Answer{
			Time: at.Add(time.Duration(i) * time.Minute), Conn: txn.Conn{ClientIP: netip.MustParseAddr("127.0.0.9")},
			MailFrom: "alice@example.com", Rcpts: []string{"bob@example.net"}, Action: txn.ActionReject,
			Outcome: &txn.Outcome{Facts: txn.Facts{
				SPF: txn.SPF{Result: "fail", Identity: "mailfrom", Domain: "example.com"},
				DMARC: txn.DMARC{Result: "fail", Domain: "example.com", PolicyDomain: "example.com", Policy: "reject", Discovery: "treewalk",
					Record: &txn.DMARCRecord{P: "reject", RUA: []string{"mailto:agg@example.com", "mailto:dmarc@reports.example.net"}}},
			}},
		})
		if !ok {
			t.Fatal("no entry")
		}
		in = append(in, e)
	}
	if err := s.Insert(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDMARCReportOutDir(t *testing.T) {
	dir := t.TempDir()
	db := reportStore(t, dir, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, dir, "milter91.yml", baseConfig)
	r := runCmd("", "dmarc", "report", "--config", cfg, "--db", db, "--since", "2026-03-01", "--until", "2026-03-01",
		"--org-name", "Example MX", "--email", "dmarc-reports@mx.example.net", "--out-dir", out)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.xml.gz"))
	if len(files) != 1 || !strings.HasPrefix(filepath.Base(files[0]), "mx.example.net!example.com!") {
		t.Fatalf("files %v, output %s", files, r.stdout)
	}
	xml := gunzip(t, files[0])
	for _, want := range []string{"<org_name>Example MX</org_name>", "<domain>example.com</domain>", "<count>2</count>",
		"<disposition>reject</disposition>", "<source_ip>127.0.0.9</source_ip>"} {
		if !strings.Contains(xml, want) {
			t.Errorf("report lacks %s:\n%s", want, xml)
		}
	}
}

// Sent through the configured command to the same-domain address only:
// the external destination did not confirm (RFC 9990 §4).
func TestDMARCReportSendmail(t *testing.T) {
	dns := startDNS(t)
	dir := t.TempDir()
	db := reportStore(t, dir, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	got := filepath.Join(dir, "sent.eml")
	script := writeFile(t, dir, "sendmail.sh", "#!/bin/sh\ncat > "+got+"\n")
	if err := os.Chmod(script, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, dir, "milter91.yml", baseConfig)
	r := runCmd("", "dmarc", "report", "--config", cfg, "--dns", dns.Addr(), "--db", db, "--since", "2026-03-01", "--until", "2026-03-01",
		"--org-name", "Example MX", "--email", "dmarc-reports@mx.example.net", "--sendmail", script+" -t")
	if r.code != 0 {
		t.Fatalf("exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	msg, err := os.ReadFile(got)
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := bytes.Cut(msg, []byte("\r\n\r\n"))
	if !bytes.Contains(head, []byte("To: <agg@example.com>\r\n")) || bytes.Contains(msg, []byte("reports.example.net>")) ||
		!bytes.Contains(head, []byte("Subject: Report Domain: example.com Submitter: mx.example.net Report-ID: <")) ||
		!bytes.Contains(msg, []byte("Content-Type: application/gzip")) {
		t.Errorf("message:\n%s", head)
	}
	if !strings.Contains(r.stdout, "not sending to mailto:dmarc@reports.example.net") {
		t.Errorf("output %q does not name the refused destination", r.stdout)
	}
}

func gunzip(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
