package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestArchiveAndAdminConfig(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if a := c.Archive; a.Store != "" || a.Retention != 180*24*time.Hour || a.Queue != 10000 || a.Batch != 500 {
		t.Errorf("archive defaults = %+v", a)
	}
	if c.Admin.Listen != "" {
		t.Errorf("admin on by default: %+v", c.Admin)
	}
	ok := "archive: {store: \"postgres://m91@127.0.0.1/m91\", retention: 365d}\n" +
		"admin: {listen: \"[::1]:9191\", token_file: /etc/milter91/admin.token}\n"
	c, err = Parse("ok.yml", []byte(ok))
	if err != nil || c.Archive.Retention != 365*24*time.Hour || c.Admin.Listen != "[::1]:9191" {
		t.Fatalf("Parse: %+v %+v %v", c.Archive, c.Admin, err)
	}
	tests := []struct{ name, src, want string }{
		{"short retention", "archive: {retention: 90d}\n", "m.yml:1:22: archive.retention: 90d is below 180 days (Decree 91/2020 Art. 10.6)"},
		{"bad retention", "archive: {retention: half}\n", "archive.retention"},
		{"retention overflowing", "archive: {retention: 213685d}\n", "at most 100000 days"},
		{"retention in hours too long", "archive: {retention: 2562047h}\n", "at most 100000 days"},
		{"batch over queue", "archive: {queue: 10, batch: 50}\n", "archive.batch"},
		{"queue zero", "archive: {queue: 0}\n", "archive.queue"},
		{"admin public", "admin: {listen: \"192.0.2.1:9191\", token_file: /t}\n", "not a loopback address"},
		{"admin no token", "admin: {listen: \"127.0.0.1:9191\"}\n", "admin.token_file or admin.tokens: required"},
		{"admin tokens bad name", "admin: {listen: \"127.0.0.1:9191\", tokens: [{name: \"a b\", file: /a}]}\n", "admin.tokens[0].name"},
		{"admin tokens twice", "admin: {listen: \"127.0.0.1:9191\", token_file: /t, tokens: [{name: admin, file: /a}]}\n", "names two tokens"},
		{"admin tokens no file", "admin: {listen: \"127.0.0.1:9191\", tokens: [{name: alice}]}\n", "admin.tokens[0].file: required"},
		{"admin half tls", "admin: {listen: \"127.0.0.1:9191\", token_file: /t, tls_cert: /c}\n", "go together"},
		{"admin no port", "admin: {listen: \"127.0.0.1\", token_file: /t}\n", "want HOST:PORT"},
		{"admin token without listen", "admin: {token_file: /t}\n", "admin API is off"},
	}
	for _, tc := range tests {
		_, err := Parse("m.yml", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.want)
		}
	}
	named := "admin: {listen: \"127.0.0.1:9191\", token_file: t0, tokens: [{name: alice, file: alice.token}, {name: bob, file: /b}]}\n"
	c, err = Parse("m.yml", []byte(named))
	if err != nil || len(c.Admin.Tokens) != 2 || c.Admin.Tokens[0] != (AdminToken{Name: "alice", File: "alice.token"}) {
		t.Errorf("named tokens: %+v %v", c.Admin.Tokens, err)
	}
	public := "admin: {listen: \"192.0.2.1:9191\", token_file: /t, tls_cert: /c, tls_key: /k}\n"
	if _, err := Parse("m.yml", []byte(public)); err != nil {
		t.Errorf("TLS on a public address: %v", err)
	}
}

// Value errors come in file order, whatever order the checks run in.
func TestValueErrorsInFileOrder(t *testing.T) {
	src := "fail_mode: maybe\nmessage_deadline: 1ms\ndns: {timeout: 1ms}\narchive: {retention: 2d}\n"
	_, err := Parse("o.yml", []byte(src))
	if err == nil {
		t.Fatal("no error")
	}
	var lines []string
	for _, l := range strings.Split(err.Error(), "\n") {
		lines = append(lines, strings.SplitN(l, ":", 3)[1])
	}
	if strings.Join(lines, ",") != "1,2,3,4" {
		t.Errorf("lines %v, want 1,2,3,4:\n%v", lines, err)
	}
}

func TestArchiveSpoolConfig(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, src, dir string
		max            int64
	}{
		{name: "SQLite store: next to it", src: "archive: {store: archive.db}\n", dir: filepath.Join(dir, "archive.db.spool"), max: 256 << 20},
		{name: "PostgreSQL store: none unless set", src: "archive: {store: \"postgres://m91@127.0.0.1/m91\"}\n", max: 256 << 20},
		{name: "set, relative", src: "archive: {store: \"host=db dbname=m91\", spool_dir: spool, spool_max: 1GiB}\n", dir: filepath.Join(dir, "spool"), max: 1 << 30},
		{name: "off", src: "archive: {store: archive.db, spool_max: 0}\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "m.yml")
			if err := os.WriteFile(path, []byte(tc.src), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if c.Archive.SpoolDir != tc.dir || c.Archive.SpoolMax != tc.max {
				t.Errorf("spool %q, %d bytes; want %q, %d", c.Archive.SpoolDir, c.Archive.SpoolMax, tc.dir, tc.max)
			}
		})
	}
	if _, err := Parse("m.yml", []byte("archive: {spool_max: lots}\n")); err == nil || !strings.Contains(err.Error(), "m.yml:1:22: archive.spool_max") {
		t.Errorf("bad spool_max: %v", err)
	}
}
