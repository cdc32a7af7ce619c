package registry

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// SQLite only: the pragmas sqldb sets and the legacy user_version the
// schema step keeps.
func TestOpenSettingsAndReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "r.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	addConsent(t, s, Consent{Advertiser: adv, Recipient: rcpt, Method: MethodForm, Time: t0})
	checks := []struct {
		pragma string
		want   string
	}{
		{pragma: "journal_mode", want: "wal"},
		{pragma: "synchronous", want: "2"}, // FULL
		{pragma: "busy_timeout", want: "5000"},
		{pragma: "user_version", want: "1"},
	}
	for _, c := range checks {
		var got string
		if err := s.db.W.QueryRowContext(ctx, "PRAGMA "+c.pragma).Scan(&got); err != nil || got != c.want {
			t.Errorf("PRAGMA %s = %q (%v), want %q", c.pragma, got, err, c.want)
		}
	}
	if _, err := s.db.R.ExecContext(ctx, `DELETE FROM consents`); err == nil {
		t.Error("the read pool accepted a write")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s2.Close()
	if consent, _, _ := recipient(t, s2, adv, rcpt, nil, t0); !consent {
		t.Error("consent lost across reopen")
	}
}

// Mostly SQLite: file names and files that are not registries.
func TestOpenRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	newer := filepath.Join(dir, "newer.db")
	foreign := filepath.Join(dir, "foreign.db")
	setup := []struct {
		path string
		sql  string
	}{
		{path: newer, sql: `PRAGMA user_version = 2`},
		{path: foreign, sql: `CREATE TABLE notes (body TEXT)`},
	}
	for _, st := range setup {
		db, err := sql.Open("sqlite", st.path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, st.sql); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	tests := []struct {
		name    string
		path    string
		wantErr string
	}{
		{name: "empty path", path: "", wantErr: "invalid database path"},
		{name: "memory", path: ":memory:", wantErr: "invalid database path"},
		{name: "query in path", path: filepath.Join(dir, "x.db?mode=ro"), wantErr: "invalid database path"},
		{name: "missing directory", path: filepath.Join(dir, "no", "such", "r.db"), wantErr: "registry:"},
		{name: "newer schema", path: newer, wantErr: "schema version 2, this program knows 1"},
		{name: "another program's file", path: foreign, wantErr: "not a milter91 registry"},
		{name: "unreachable server", path: "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2", wantErr: "registry: postgres://nobody@127.0.0.1:1/none"},
	}
	for _, tt := range tests {
		s, err := Open(ctx, tt.path)
		if err == nil {
			s.Close()
			t.Errorf("%s: no error", tt.name)
			continue
		}
		if !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.wantErr)
		}
	}
}

func TestNormAddress(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "User@Example.NET", want: "user@example.net"},
		{in: " <Ann.Lee+ads@Example.net.> ", want: "ann.lee+ads@example.net"},
		{in: `"odd@local"@example.net`, want: `"odd@local"@example.net`},
		{in: "", wantErr: true},
		{in: "<>", wantErr: true},
		{in: "user@", wantErr: true},
		{in: "user@exa mple.net", wantErr: true},
		{in: "user@example..net", wantErr: true},
		{in: "us\ter@example.net", wantErr: true},
	}
	for _, tt := range tests {
		got, err := normAddress(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("normAddress(%q) = %q, %v; want %q error=%v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestUnicodeAdvertiserStoredAsALabel(t *testing.T) {
	got, err := checkAdvertiser("Ví-Dụ.example")
	if err != nil || got != "xn--v-d-rma6749a.example" {
		t.Fatalf("checkAdvertiser = %q, %v; want the A-label the analysis computes", got, err)
	}
	addr, err := normAddress("An@Ví-Dụ.example")
	if err != nil || addr != "an@xn--v-d-rma6749a.example" {
		t.Errorf("normAddress = %q, %v", addr, err)
	}
}
