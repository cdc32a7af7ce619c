package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestBlockCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	runRegSteps(t, runBlock, []regStep{
		{name: "list before any store", args: []string{"list", "--db", db}, code: 1, errHas: "no such file"},
		{name: "add", args: []string{"add", "--db", db, "--rcpt", "Bob@example.net", "--kind", "domain", "--value", "Example.COM", "--note", "ads"},
			outHas: "bob@example.net  domain  example.com  2026-03-01T09:00:00Z  cli     ads"},
		{name: "add bad kind", args: []string{"add", "--db", db, "--rcpt", "bob@example.net", "--kind", "ip", "--value", "192.0.2.1"},
			code: 2, errHas: `kind "ip"`},
		{name: "add missing value", args: []string{"add", "--db", db, "--rcpt", "bob@example.net", "--kind", "domain"}, code: 2, errHas: "usage"},
		{name: "list", args: []string{"list", "--db", db, "--rcpt", "bob@example.net"}, outHas: "example.com"},
		{name: "remove", args: []string{"remove", "--db", db, "--rcpt", "bob@example.net", "--kind", "domain", "--value", "example.com"},
			outHas: "removed domain example.com"},
		{name: "remove again", args: []string{"remove", "--db", db, "--rcpt", "bob@example.net", "--kind", "domain", "--value", "example.com"},
			code: 1, errHas: "no domain entry"},
		{name: "unknown", args: []string{"purge", "--db", db}, code: 2, errHas: "usage"},
	})
}

// A store the CLI creates holds personal data: mode 0600.
func TestCLIStoreIsPrivate(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	runRegSteps(t, runBlock, []regStep{{name: "add", args: []string{"add", "--db", db, "--rcpt", "bob@example.net",
		"--kind", "address", "--value", "x@example.com"}, outHas: "x@example.com"}})
	fi, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("mode %04o, want 0600", perm)
	}
}
