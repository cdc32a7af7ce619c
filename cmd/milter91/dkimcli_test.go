package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"milter91/internal/dkimsign"
)

func TestDKIMKeygen(t *testing.T) {
	for _, alg := range []string{"rsa", "ed25519"} {
		t.Run(alg, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "example.test.s2026.key")
			var stdout, stderr bytes.Buffer
			code := run([]string{"dkim", "keygen", "--domain", "Example.TEST", "--selector", "s2026", "--algorithm", alg, "--out", out}, nil, &stdout, &stderr)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			fi, err := os.Stat(out)
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("key file: %v mode %v", err, fi.Mode())
			}
			signer, gotAlg, err := dkimsign.ReadKey(out)
			if err != nil || gotAlg != alg {
				t.Fatalf("ReadKey: %v %q", err, gotAlg)
			}
			line := strings.TrimSuffix(stdout.String(), "\n")
			prefix := `s2026._domainkey.example.test. IN TXT "v=DKIM1; k=` + alg + `; p=`
			if !strings.HasPrefix(line, prefix) {
				t.Fatalf("line %q, want prefix %q", line, prefix)
			}
			// The record, its strings joined, is the key's record.
			var joined string
			for _, m := range regexp.MustCompile(`"([^"]*)"`).FindAllStringSubmatch(line, -1) {
				if len(m[1]) > 255 {
					t.Errorf("string of %d bytes", len(m[1]))
				}
				joined += m[1]
			}
			want, _ := dkimsign.KeyRecord(signer.Public())
			if joined != want {
				t.Fatalf("record %q, key's %q", joined, want)
			}
			if alg == "rsa" && strings.Count(line, `"`) != 4 {
				t.Errorf("RSA-2048 record in %d strings, want 2", strings.Count(line, `"`)/2)
			}
			// A second run refuses to replace the key.
			before, _ := os.ReadFile(out)
			stdout.Reset()
			stderr.Reset()
			if code := run([]string{"dkim", "keygen", "--domain", "example.test", "--selector", "s2026", "--algorithm", alg, "--out", out}, nil, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "exists") {
				t.Fatalf("second run: exit %d, %q", code, stderr.String())
			}
			if after, _ := os.ReadFile(out); !bytes.Equal(before, after) {
				t.Fatal("the key was replaced")
			}
		})
	}
}

func TestDKIMKeygenUsage(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"dkim"},
		{"dkim", "keygen", "--domain", "example.test", "--selector", "s1", "--out", filepath.Join(dir, "k")},
		{"dkim", "keygen", "--domain", "example.test", "--selector", "s1", "--algorithm", "dsa", "--out", filepath.Join(dir, "k")},
		{"dkim", "keygen", "--domain", "not a domain", "--selector", "s1", "--algorithm", "rsa", "--out", filepath.Join(dir, "k")},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(args, nil, &stdout, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		if _, err := os.Stat(filepath.Join(dir, "k")); err == nil {
			t.Fatalf("%v wrote a key", args)
		}
	}
}
