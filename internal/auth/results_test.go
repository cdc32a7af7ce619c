package auth

import (
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/authres"

	"milter91/internal/txn"
)

// unfoldValue undoes ResultsHeader's folding (CRLF before HTAB).
func unfoldValue(v string) string { return strings.ReplaceAll(v, "\r\n\t", " ") }

func TestResultsHeader(t *testing.T) {
	spfPass := txn.SPF{Result: "pass", Identity: "mailfrom", Domain: "example.com", Sender: "a@example.com"}
	dkimPass := txn.DKIM{Result: "pass", Domain: "example.com", Selector: "s1", HeaderB: "AbCd1234"}
	dmarcPass := txn.DMARC{Result: "pass", Domain: "example.com", Policy: "reject", Pct: 100}
	tests := []struct {
		name  string
		id    string
		spf   txn.SPF
		dkim  []txn.DKIM
		dmarc txn.DMARC
		arc   txn.ARC
		want  string // unfolded
	}{
		{name: "arc pass with its sealers", id: "mx.example.net", spf: spfPass, dkim: []txn.DKIM{dkimPass}, dmarc: dmarcPass,
			arc: txn.ARC{Result: "pass", Sealers: []string{"lists.example.org", "fwd.example.net"}, OldestPass: 2},
			want: " mx.example.net; spf=pass smtp.mailfrom=example.com; dkim=pass header.d=example.com header.s=s1 header.b=AbCd1234; dmarc=pass (p=reject) header.from=example.com;" +
				" arc=pass (sealers lists.example.org,fwd.example.net) header.oldest-pass=2"},
		{name: "arc fail with a reason, hostile sealer cleaned", id: "mx.example.net",
			arc:  txn.ARC{Result: "fail", Sealers: []string{"evil)(\r\n.example"}, Detail: "ARC-Seal i=1: bad signature"},
			want: ` mx.example.net; dkim=none; arc=fail (sealers evil.example) reason="ARC-Seal i=1: bad signature"`},
		{name: "arc none", id: "mx.example.net", arc: txn.ARC{Result: "none"},
			want: " mx.example.net; dkim=none; arc=none"},
		{name: "all pass", id: "mx.example.net", spf: spfPass, dkim: []txn.DKIM{dkimPass}, dmarc: dmarcPass,
			want: " mx.example.net; spf=pass smtp.mailfrom=example.com; dkim=pass header.d=example.com header.s=s1 header.b=AbCd1234; dmarc=pass (p=reject) header.from=example.com"},
		{name: "no signature is dkim=none", id: "mx.example.net", spf: spfPass, dmarc: dmarcPass,
			want: " mx.example.net; spf=pass smtp.mailfrom=example.com; dkim=none; dmarc=pass (p=reject) header.from=example.com"},
		{name: "unchecked SPF and DMARC are left out", id: "mx.example.net",
			want: " mx.example.net; dkim=none"},
		{name: "HELO identity", id: "mx.example.net",
			spf:  txn.SPF{Result: "softfail", Identity: "helo", Domain: "mx.example.org"},
			want: " mx.example.net; spf=softfail smtp.helo=mx.example.org; dkim=none"},
		{name: "reasons, identity and no policy", id: "mx.example.net",
			spf: txn.SPF{Result: "temperror", Identity: "mailfrom", Domain: "example.com", Detail: "lookup example.com: read udp 127.0.0.1:44456->127.0.0.1:15353: connection refused"},
			dkim: []txn.DKIM{{Result: "fail", Domain: "example.org", Selector: "s", Identity: "@example.org", HeaderB: "x/y+z123",
				Detail: `body hash "did" not verify`}},
			dmarc: txn.DMARC{Result: "none", Domain: "example.org", Detail: "no DMARC record"},
			want: ` mx.example.net; spf=temperror reason="temporary DNS failure" smtp.mailfrom=example.com;` +
				` dkim=fail reason="body hash \"did\" not verify" header.d=example.org header.s=s header.i=@example.org header.b=x/y+z123;` +
				` dmarc=none reason="no DMARC record" header.from=example.org`},
		{name: "hostile values are quoted, controls dropped", id: "mx example",
			dkim: []txn.DKIM{{Result: "permerror", Domain: "evil.example\r\nX-Injected: yes", Selector: "a;b"}},
			want: ` "mx example"; dkim=permerror header.d="evil.exampleX-Injected: yes" header.s="a;b"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			name, value := ResultsHeader(tc.id, tc.spf, tc.dkim, tc.dmarc, tc.arc)
			if name != "Authentication-Results" {
				t.Errorf("name %q", name)
			}
			if got := unfoldValue(value); got != tc.want {
				t.Errorf("value\n got %q\nwant %q", got, tc.want)
			}
			for i, line := range strings.Split(value, "\r\n") {
				if i == 0 {
					line = name + ":" + line
				}
				if len(line) > 78 && !strings.Contains(line, `"`) {
					t.Errorf("line %d is %d long: %q", i, len(line), line)
				}
			}
			if strings.ContainsAny(strings.ReplaceAll(value, "\r\n\t", ""), "\r\n") {
				t.Errorf("bare line break in %q", value)
			}
		})
	}
}

// TestResultsHeaderParses reads our header back with go-msgauth's parser.
func TestResultsHeaderParses(t *testing.T) {
	_, value := ResultsHeader("mx.example.net",
		txn.SPF{Result: "pass", Identity: "mailfrom", Domain: "example.com"},
		[]txn.DKIM{{Result: "pass", Domain: "example.com", Selector: "s1", HeaderB: "AbCd1234"},
			{Result: "fail", Domain: "example.org", Selector: "s2", HeaderB: "ZZZZ0000"}},
		txn.DMARC{Result: "pass", Domain: "example.com", Policy: "reject"}, txn.ARC{})
	id, results, err := authres.Parse(unfoldValue(value))
	if err != nil {
		t.Fatalf("authres.Parse: %v", err)
	}
	if id != "mx.example.net" || len(results) != 4 {
		t.Fatalf("id %q, %d results", id, len(results))
	}
	spf, ok := results[0].(*authres.SPFResult)
	if !ok || spf.Value != authres.ResultPass || spf.From != "example.com" {
		t.Errorf("spf result %#v", results[0])
	}
	dk, ok := results[2].(*authres.DKIMResult)
	if !ok || dk.Value != authres.ResultFail || dk.Domain != "example.org" {
		t.Errorf("second dkim result %#v", results[2])
	}
	dm, ok := results[3].(*authres.DMARCResult)
	if !ok || dm.Value != authres.ResultPass || dm.From != "example.com" {
		t.Errorf("dmarc result %#v", results[3])
	}
	if !ClaimsAuthservID(value, "mx.example.net") {
		t.Error("our own header does not claim our authserv-id")
	}
}
