package config

import (
	"maps"
	"strings"
	"testing"
)

func TestModes(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if c.Modes.Observe || len(c.Modes.Listeners) != 0 || len(c.Modes.DaemonNames) != 0 {
		t.Errorf("default modes %+v, want enforce everywhere", c.Modes)
	}
	src := "listen: [inet:127.0.0.1:8891, inet:127.0.0.1:8892]\nmode: observe\n" +
		"modes:\n  listeners: {\"inet:127.0.0.1:8892\": enforce}\n  daemon_names: {ORIGINATING: observe}\n"
	c, err = Parse("m.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Modes.Observe || !maps.Equal(c.Modes.Listeners, map[string]bool{"inet:127.0.0.1:8892": false}) ||
		!maps.Equal(c.Modes.DaemonNames, map[string]bool{"ORIGINATING": true}) {
		t.Errorf("modes %+v", c.Modes)
	}
	tests := []struct{ name, src, want string }{
		{"bad mode", "mode: dry\n", "m.yml:1:7: mode: \"dry\": want enforce or observe"},
		{"unknown listener", "modes: {listeners: {\"inet:127.0.0.1:9999\": observe}}\n", "is not one of listen"},
		{"bad listener mode", "modes: {listeners: {\"inet:127.0.0.1:8891\": on}}\n", "want enforce or observe"},
		{"empty daemon name", "modes: {daemon_names: {\"\": observe}}\n", "empty daemon name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("m.yml", []byte(tc.src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestQuarantineConfig(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if c.Quarantine != (Quarantine{Method: "hold", DMARCMethod: "junk"}) {
		t.Errorf("default quarantine %+v, want hold, and junk for DMARC", c.Quarantine)
	}
	_, err = Parse("q.yml", []byte("quarantine: {method: discard, dmarc_method: hold}\n"))
	if err == nil || !strings.Contains(err.Error(), `q.yml:1:22: quarantine.method: "discard": want hold or junk`) {
		t.Errorf("err = %v", err)
	}
}

func TestTrustedNetworks(t *testing.T) {
	c, err := Parse("t.yml", []byte("trusted_networks: [127.0.0.10, 127.0.0.0/29, \"::1\", \"2001:db8::/32\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"127.0.0.10/32", "127.0.0.0/29", "::1/128", "2001:db8::/32"}
	if len(c.TrustedNetworks) != len(want) {
		t.Fatalf("trusted %v, want %v", c.TrustedNetworks, want)
	}
	for i, p := range c.TrustedNetworks {
		if p.String() != want[i] {
			t.Errorf("trusted[%d] = %v, want %s", i, p, want[i])
		}
	}
	_, err = Parse("t.yml", []byte("trusted_networks: [127.0.0.1/8, backup.example.net]\n"))
	for _, w := range []string{`t.yml:1:20: trusted_networks: "127.0.0.1/8" has host bits set (127.0.0.0/8?)`, `"backup.example.net" is not an address or CIDR prefix`} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("err = %v, want %q", err, w)
		}
	}
}
