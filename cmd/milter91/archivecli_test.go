package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"milter91/internal/archive"
	"milter91/internal/registry"
	"milter91/internal/spamreport"
)

// archiveFile makes an archive with two days of mail: an accepted ad and a
// rejected message from a blocklisted client.
func archiveFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "archive.db")
	ctx := context.Background()
	s, err := archive.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	day := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	recs := []archive.Record{
		{Time: day, QueueID: "4AB1", Direction: "inbound", ClientIP: "127.0.0.5", HELO: "mx.example.com",
			MailFrom: "news@example.com", Rcpts: []string{"bob@example.net"}, MessageID: "ad1@example.com",
			From: "news@example.com", Subject: "[QC] sale", Header: "From: news@example.com\r\nSubject: [QC] sale",
			Action: "tag", Score: 3, Rules: []string{"D91_IN_NO_OPTOUT"}, Articles: []string{"Art. 20.1"}, Advertiser: "example.com"},
		{Time: day.Add(24 * time.Hour), Direction: "inbound", ClientIP: "127.0.0.2", MailFrom: "x@example.org",
			Rcpts: []string{"bob@example.net"}, Action: "reject", Reply: "554 5.7.1 listed", Rules: []string{"DNSBL_LISTED"}, BlockedClient: true},
	}
	if err := s.Insert(ctx, recs); err != nil {
		t.Fatal(err)
	}
	return path
}

func fixedNow() time.Time { return time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC) }

func TestHeadersSearch(t *testing.T) {
	db := archiveFile(t)
	var out, errb bytes.Buffer
	code := cmdHeaders([]string{"search", "--db", db, "--since", "2026-11-01", "--rcpt", "Bob@Example.NET"}, &out, &errb, fixedNow)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	text := out.String()
	for _, want := range []string{"4AB1 tag", "NOQUEUE reject", "Subject: [QC] sale", `reply="554 5.7.1 listed"`, "advertiser=example.com"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if strings.Index(text, "NOQUEUE") > strings.Index(text, "4AB1") {
		t.Errorf("not newest first:\n%s", text)
	}
	out.Reset()
	code = cmdHeaders([]string{"search", "--db", db, "--since", "2026-11-01", "--until", "2026-11-02",
		"--message-id", "<ad1@example.com>", "--json"}, &out, &errb, fixedNow)
	var rec archive.Record
	if code != 0 || json.Unmarshal(out.Bytes(), &rec) != nil || rec.QueueID != "4AB1" || strings.Count(out.String(), "\n") != 1 {
		t.Errorf("--json by message id: exit %d, %q", code, out.String())
	}
}

func TestHeadersSearchErrors(t *testing.T) {
	db := archiveFile(t)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no subcommand", nil, 2, "usage"},
		{"no since", []string{"search", "--db", db}, 2, "--since is required"},
		{"bad since", []string{"search", "--db", db, "--since", "yesterday"}, 2, "want RFC 3339"},
		{"inverted", []string{"search", "--db", db, "--since", "2026-11-05", "--until", "2026-11-01"}, 2, "is not before"},
		{"missing file", []string{"search", "--db", db + ".nope", "--since", "2026-11-01"}, 1, "no such file"},
		{"bad ip", []string{"search", "--db", db, "--since", "2026-11-01", "--client-ip", "300.1.1.1"}, 2, "300.1.1.1"},
		{"empty filter", []string{"search", "--db", db, "--since", "2026-11-01", "--rcpt", ""}, 2, `--rcpt "" is empty`},
		{"only brackets", []string{"search", "--db", db, "--since", "2026-11-01", "--message-id", "<>"}, 2, `--message-id "<>" is empty`},
		{"limit zero", []string{"search", "--db", db, "--since", "2026-11-01", "--limit", "0"}, 2, "--limit 0: want 1..100000"},
		{"not an archive", []string{"search", "--db", registryFile(t), "--since", "2026-11-01"}, 1, "is not a milter91 archive"},
		{"empty file", []string{"search", "--db", emptyFile(t), "--since", "2026-11-01"}, 1, "not a SQLite database"},
		{"no archive in config", []string{"search", "--since", "2026-11-01"}, 1, "no archive"},
		{"before 1970", []string{"search", "--db", db, "--since", "1900-01-01"}, 2, "before 1970-01-01"},
	}
	for _, tc := range tests {
		var out, errb bytes.Buffer
		code := cmdHeaders(tc.args, &out, &errb, fixedNow)
		if code != tc.code || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", tc.name, code, errb.String(), tc.code, tc.want)
		}
	}
}

func TestReportCommand(t *testing.T) {
	db := archiveFile(t)
	var out, errb bytes.Buffer
	code := cmdReport([]string{"--db", db, "--since", "2026-11-01", "--until", "2026-11-30", "--format", "csv"}, &out, &errb, fixedNow)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, r := range rows {
		found[r[0]+"/"+r[3]+"/"+r[len(r)-1]] = true
	}
	for _, want := range []string{"action/tag/1", "action/reject/1", "rule/DNSBL_LISTED/1", "blocked_ip/127.0.0.2/1", "advertiser/example.com/1"} {
		if !found[want] {
			t.Errorf("CSV lacks %s: %v", want, rows)
		}
	}
	file := filepath.Join(t.TempDir(), "r.html")
	if code := cmdReport([]string{"--db", db, "--since", "2026-11-01", "--out", file}, &out, &errb, fixedNow); code != 0 {
		t.Fatalf("html exit %d: %s", code, errb.String())
	}
	page, err := os.ReadFile(file)
	if err != nil || !bytes.Contains(page, []byte("<svg")) {
		t.Errorf("HTML report: %v, %d bytes", err, len(page))
	}
	errb.Reset()
	if code := cmdReport([]string{"--db", db, "--since", "2026-11-01", "--format", "pdf"}, &out, &errb, fixedNow); code != 2 {
		t.Errorf("--format pdf: exit %d, %s", code, errb.String())
	}
	errb.Reset()
	if code := cmdReport([]string{"--db", db, "--since", "1970-01-01", "--until", "9999-12-30"}, &out, &errb, fixedNow); code != 2 ||
		!strings.Contains(errb.String(), "at most 3660 days") {
		t.Errorf("a period of 8000 years: exit %d, %s", code, errb.String())
	}
}

// emptyFile is a 0-byte file, which must stay one.
func emptyFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if fi, err := os.Stat(path); err != nil || fi.Size() != 0 {
			t.Errorf("the empty file was changed: %v %v", fi, err)
		}
	})
	return path
}

// registryFile is a registry database: not an archive.
func registryFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "registry.db")
	s, err := registry.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	return path
}

func TestPrintable(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain Tiếng Việt\ttab\nline", "plain Tiếng Việt\ttab\nline"},
		{"\x1b]0;PWNED\x07\x1b[2J", `\x1b]0;PWNED\x07\x1b[2J`},
		{"cr\rhere", `cr\x0dhere`},
		{"c1 \u009b x", `c1 \xc2\x9b x`},
		{"bad \xff byte", `bad \xff byte`},
	} {
		if got := printable(c.in); got != c.want {
			t.Errorf("printable(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// With --config, the report counts the users' spam reports of the
// registry (Art. 10.2, 12.1) as the admin API's /v1/report does.
func TestReportCommandUserReports(t *testing.T) {
	dir := t.TempDir()
	arch := archiveFile(t)
	ctx := context.Background()
	reg := filepath.Join(dir, "registry.db")
	s, err := spamreport.Open(ctx, reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"abuse", "abuse", "fraud"} {
		if _, err := s.Add(ctx, spamreport.Record{Time: time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC), Source: spamreport.SourceAPI,
			FeedbackType: typ, Recipient: "bob@example.net"}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	cfg := filepath.Join(dir, "m.yml")
	if err := os.WriteFile(cfg, []byte("archive: {store: "+arch+"}\ndecree91: {registry: registry.db}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := cmdReport([]string{"--config", cfg, "--since", "2026-11-01", "--until", "2026-11-30", "--format", "csv"}, &out, &errb, fixedNow); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"user_report,,,total,,3", "user_report,,,type:abuse,,2", "user_report,,,type:fraud,,1"} {
		if !strings.Contains(out.String(), want+"\n") {
			t.Errorf("CSV lacks %q:\n%s", want, out.String())
		}
	}
}
