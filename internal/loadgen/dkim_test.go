package loadgen

import (
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
)

func TestCorpusKey(t *testing.T) {
	key, err := corpusKey()
	if err != nil {
		t.Fatal(err)
	}
	if key.N.BitLen() != 2048 {
		t.Fatalf("key of %d bits, want 2048", key.N.BitLen())
	}
	if err := key.Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestDKIMSignVerifies signs with the corpus key and verifies with
// go-msgauth against the corpus's DKIM record: the signature passes, and
// fails once the body or a signed field changes.
func TestDKIMSignVerifies(t *testing.T) {
	key, err := corpusKey()
	if err != nil {
		t.Fatal(err)
	}
	record, err := dkimRecord(key)
	if err != nil {
		t.Fatal(err)
	}
	fields := []field{
		{name: "From", value: " a@example.com"}, {name: "To", value: " b@example.net"},
		{name: "Subject", value: " folded\r\n  subject"}, {name: "Date", value: " Mon, 03 Mar 2025 08:00:00 +0700"},
		{name: "Message-ID", value: " <1@example.com>"}, {name: "MIME-Version", value: " 1.0"},
		{name: "Content-Type", value: " text/plain"},
	}
	body := "Hello  there \r\n\r\n"
	for _, tc := range []struct {
		name   string
		tamper func(msg string) string
		want   string // verification error; "" for pass
	}{
		{name: "intact", tamper: func(m string) string { return m }},
		{name: "relaxed whitespace", tamper: func(m string) string { return strings.Replace(m, "Hello  there \r\n", "Hello there\r\n", 1) }},
		{name: "body changed", tamper: func(m string) string { return m + "P.S.\r\n" }, want: "body hash did not verify"},
		{name: "subject changed", tamper: func(m string) string { return strings.Replace(m, "subject", "Subject!", 1) }, want: "signature did not verify"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sig, err := dkimSign(key, "example.com", fields, []byte(body))
			if err != nil {
				t.Fatal(err)
			}
			if sig.name != "DKIM-Signature" || !strings.Contains(sig.value, "c=relaxed/relaxed;") || !strings.Contains(sig.value, "s=lg1;") {
				t.Fatalf("signature field %q: %q", sig.name, sig.value)
			}
			msg := tc.tamper(string(render(append([]field{sig}, fields...), []byte(body))))
			verifs, err := dkim.VerifyWithOptions(strings.NewReader(msg), &dkim.VerifyOptions{
				LookupTXT: func(domain string) ([]string, error) {
					if domain != "lg1._domainkey.example.com" {
						t.Errorf("key looked up at %q", domain)
					}
					return []string{record}, nil
				},
			})
			if err != nil || len(verifs) != 1 {
				t.Fatalf("verify: %v, %d results", err, len(verifs))
			}
			got := ""
			if verifs[0].Err != nil {
				got = verifs[0].Err.Error()
			}
			if !strings.Contains(got, tc.want) || (tc.want == "") != (got == "") {
				t.Fatalf("verification error %q, want %q", got, tc.want)
			}
		})
	}
}
