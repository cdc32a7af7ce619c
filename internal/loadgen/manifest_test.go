package loadgen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadManifestErrors(t *testing.T) {
	const good = `{"file": "m1.eml", "client_ip": "127.0.0.5", "helo": "mail.example.com", "mail_from": "a@example.com", "rcpts": ["b@example.net"]}`
	for _, tc := range []struct {
		name, json, want string
	}{
		{name: "malformed", json: `{"version": 1,`, want: "unexpected end"},
		{name: "version", json: `{"version": 2, "messages": [` + good + `]}`, want: "version 2"},
		{name: "empty", json: `{"version": 1, "messages": []}`, want: "no messages"},
		{name: "path escape", json: `{"version": 1, "messages": [` + strings.Replace(good, "m1.eml", "../m1.eml", 1) + `]}`, want: "not a plain name"},
		{name: "bad ip", json: `{"version": 1, "messages": [` + strings.Replace(good, "127.0.0.5", "127.0.0.500", 1) + `]}`, want: "client_ip"},
		{name: "no helo", json: `{"version": 1, "messages": [` + strings.Replace(good, "mail.example.com", "", 1) + `]}`, want: "empty helo"},
		{name: "no rcpt", json: `{"version": 1, "messages": [` + strings.Replace(good, `"b@example.net"`, "", 1) + `]}`, want: "no recipient"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, ManifestFile), []byte(tc.json), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadManifest(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one with %q", err, tc.want)
			}
		})
	}
	if _, err := ReadManifest(t.TempDir()); err == nil {
		t.Error("no error for a missing manifest")
	}
}

func TestLoadCorpus(t *testing.T) {
	dir, man := testCorpus(t)
	c, err := LoadCorpus(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Messages) != len(man.Messages) {
		t.Fatalf("%d messages, want %d", len(c.Messages), len(man.Messages))
	}
	for i, m := range c.Messages {
		data := readFile(t, dir, man.Messages[i].File)
		if !strings.HasSuffix(string(data), string(m.Body)) || len(m.Body) == 0 {
			t.Fatalf("%s: body is not the end of the file", m.File)
		}
		for _, h := range m.Headers {
			if strings.Contains(h.Value, "\r") {
				t.Fatalf("%s: header %s keeps CR in %q; Postfix joins folded lines with LF", m.File, h.Name, h.Value)
			}
		}
	}
	missing := t.TempDir()
	if err := os.WriteFile(filepath.Join(missing, ManifestFile), readFile(t, dir, ManifestFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCorpus(missing); err == nil {
		t.Error("no error for a manifest whose files are missing")
	}
}
