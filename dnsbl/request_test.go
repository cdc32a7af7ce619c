package dnsbl

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"milter91/internal/txn"
)

// A list whose header names the reference and date columns keeps the
// authority's request behind each entry (Decree 91/2020 Art. 6.3, 9.4).
func TestAuthorityListRequests(t *testing.T) {
	src := "entry,reference,date\n" +
		"192.0.2.0/24,1234/QD-BTTTT,2026-11-02\n" +
		"Spam.Example.com,\"CV 77\",2026-10-30 # a comment\n" +
		"=exact.example.org,CV 78,2026-10-31\n" +
		"bad@example.net,CV 79,2026-10-29\n"
	l, err := parseList(strings.NewReader(src), "authority.csv")
	if err != nil {
		t.Fatal(err)
	}
	for entry, want := range map[string]string{
		"192.0.2.0/24": "1234/QD-BTTTT 2026-11-02", "spam.example.com": "CV 77 2026-10-30",
		"=exact.example.org": "CV 78 2026-10-31", "bad@example.net": "CV 79 2026-10-29",
	} {
		r, ok := l.Request(entry)
		if got := r.Reference + " " + r.Date.Format("2006-01-02"); !ok || got != want {
			t.Errorf("Request(%s) = %q %v, want %q", entry, got, ok, want)
		}
	}
	e, ok := l.MatchIP(netip.MustParseAddr("192.0.2.9"))
	if r, _ := l.Request(e); !ok || r.Reference != "1234/QD-BTTTT" {
		t.Errorf("MatchIP entry %q has request %+v", e, r)
	}
}

func TestAuthorityListBadLines(t *testing.T) {
	src := "entry,reference,date\n192.0.2.1\n192.0.2.2,,2026-11-02\n192.0.2.3,CV 1,02/11/2026\n"
	_, err := parseList(strings.NewReader(src), "a.csv")
	for _, want := range []string{"a.csv:2: an authority list needs the reference and date columns",
		"a.csv:3: empty request reference", `a.csv:4: request date "02/11/2026": want YYYY-MM-DD`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want %q", err, want)
		}
	}
	// Other CSV headers keep their columns as free text.
	l, err := parseList(strings.NewReader("ip,reason,date\n192.0.2.1,spam,2026-11-02\n"), "n.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := l.Request("192.0.2.1"); ok {
		t.Error("a plain CSV list has requests")
	}
}

// A hit on an authority entry carries the request to the facts.
func TestAuthorityHit(t *testing.T) {
	path := writeRequestList(t, "entry,reference,date\n192.0.2.0/24,1234/QD-BTTTT,2026-11-02\n")
	ll, err := NewLocalLists([]LocalListConfig{{Name: "authority", Path: path}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	hits := ll.Check(Subject{ClientIP: netip.MustParseAddr("192.0.2.7")})
	want := txn.ListHit{List: "authority", Kind: KindBlock, Target: "192.0.2.7", Sources: []string{SourceClient},
		Entry: "192.0.2.0/24", Reference: "1234/QD-BTTTT", Requested: "2026-11-02"}
	if len(hits) != 1 || hits[0].Request() != "1234/QD-BTTTT of 2026-11-02" || hits[0].Reference != want.Reference || hits[0].Entry != want.Entry {
		t.Fatalf("hits %+v", hits)
	}
}

func writeRequestList(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "list.csv")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
