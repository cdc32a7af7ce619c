package dnsbl_test

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"milter91/dnsbl"
	"milter91/internal/txn"
)

func writeNamedList(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// hitsOf renders hits as "list kind target sources entry".
func hitsOf(hits []txn.ListHit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, strings.Join([]string{h.List, h.Kind, h.Target, strings.Join(h.Sources, ","), h.Entry}, " "))
	}
	return out
}

func TestLocalListsCheck(t *testing.T) {
	national := writeNamedList(t, "national.txt", "# national blacklist\n127.0.0.0/24\nspam.example.com\nbad@example.org\n=exact.example.net\n")
	allow := writeNamedList(t, "allow.csv", "entry,reason\npartner.example.com,contract\n")
	ll, err := dnsbl.NewLocalLists([]dnsbl.LocalListConfig{
		{Name: "national", Path: national},
		{Name: "partners", Path: allow, Kind: dnsbl.KindAllow, Sources: []string{dnsbl.SourceMailFrom}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := dnsbl.Subject{
		ClientIP: netip.MustParseAddr("127.0.0.9"),
		Targets: []dnsbl.Target{
			{Source: dnsbl.SourceHELO, Name: "mx.spam.example.com"},
			{Source: dnsbl.SourceMailFrom, Name: "example.org", Address: "Bad@Example.org"},
			{Source: dnsbl.SourceFrom, Name: "example.org", Address: "good@example.org"},
			{Source: dnsbl.SourceURL, Name: "www.spam.example.com"},
			{Source: dnsbl.SourceURL, Name: "sub.exact.example.net"}, // =exact: no subdomains
			{Source: dnsbl.SourceEmail, Name: "exact.example.net", Address: "x@exact.example.net"},
			{Source: dnsbl.SourceMailFrom, Name: "partner.example.com", Address: "a@partner.example.com"},
			{Source: dnsbl.SourceFrom, Name: "partner.example.com", Address: "a@partner.example.com"}, // not a partners source
		},
	}
	want := []string{
		"national block 127.0.0.9 client 127.0.0.0/24",
		"national block mx.spam.example.com helo spam.example.com",
		"national block bad@example.org mail_from bad@example.org",
		"national block www.spam.example.com url spam.example.com",
		"national block x@exact.example.net email =exact.example.net",
		"partners allow a@partner.example.com mail_from partner.example.com",
	}
	if got := hitsOf(ll.Check(s)); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("hits:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !ll.Asks(dnsbl.SourceURL) {
		t.Error("Asks(url) = false")
	}
}

func TestLocalListsErrors(t *testing.T) {
	bad := writeNamedList(t, "bad.txt", "127.0.0.1\nnot a valid entry\n")
	cases := []struct {
		name string
		cfg  dnsbl.LocalListConfig
		want string
	}{
		{name: "bad line", cfg: dnsbl.LocalListConfig{Name: "l", Path: bad}, want: "bad.txt:2:"},
		{name: "bad kind", cfg: dnsbl.LocalListConfig{Name: "l", Path: bad, Kind: "deny"}, want: `list "l": kind "deny"`},
		{name: "bad source", cfg: dnsbl.LocalListConfig{Name: "l", Path: bad, Sources: []string{"body"}}, want: `list "l": source "body"`},
		{name: "missing file", cfg: dnsbl.LocalListConfig{Name: "l", Path: bad + ".none"}, want: "bad.txt.none"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := dnsbl.NewLocalLists([]dnsbl.LocalListConfig{tc.cfg}, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want %q", err, tc.want)
			}
		})
	}
}

// An allow list without sources is matched against the client address
// only: the envelope and the text are the sender's to write.
func TestAllowListDefaultsToClient(t *testing.T) {
	allow := writeNamedList(t, "allow.txt", "partner.example.com\n127.0.0.7\n")
	ll, err := dnsbl.NewLocalLists([]dnsbl.LocalListConfig{{Name: "ok", Path: allow, Kind: dnsbl.KindAllow}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	spoofed := dnsbl.Subject{ClientIP: netip.MustParseAddr("127.0.0.2"), Targets: []dnsbl.Target{
		{Source: dnsbl.SourceMailFrom, Name: "partner.example.com", Address: "a@partner.example.com"},
		{Source: dnsbl.SourceURL, Name: "partner.example.com"},
	}}
	if hits := ll.Check(spoofed); len(hits) != 0 {
		t.Errorf("sender-written names matched the allow list: %v", hitsOf(hits))
	}
	if hits := ll.Check(dnsbl.Subject{ClientIP: netip.MustParseAddr("127.0.0.7")}); len(hits) != 1 {
		t.Errorf("client address: %v", hitsOf(hits))
	}
}
