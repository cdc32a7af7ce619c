package dmarc

import (
	"strings"
	"testing"
)

// FuzzParse: any TXT string gives a record or ErrNotDMARC, never a panic;
// a parsed record's values are within their ranges.
func FuzzParse(f *testing.F) {
	for _, r := range rfcRecords {
		f.Add(r)
	}
	f.Fuzz(func(t *testing.T, txt string) {
		r, err := Parse(txt)
		if err != nil {
			if err != ErrNotDMARC || IsRecord(txt) {
				t.Fatalf("%q: %v", txt, err)
			}
			return
		}
		for _, p := range []Policy{r.Policy, r.SubdomainPolicy, r.NonexistentPolicy} {
			if p != "" && p != PolicyNone && p != PolicyQuarantine && p != PolicyReject {
				t.Fatalf("policy %q", p)
			}
		}
		if !strings.ContainsRune("rs", rune(r.ADKIM)) || !strings.ContainsRune("rs", rune(r.ASPF)) || !strings.ContainsRune("ynu", rune(r.PSD)) {
			t.Fatalf("flags %+v", r)
		}
		if r.Pct < -1 || r.Pct > 100 || len(r.RUA) > maxURIs || len(r.RUF) > maxURIs {
			t.Fatalf("%+v", r)
		}
		for _, u := range r.RUA {
			if !validURI(u) {
				t.Fatalf("invalid URI kept: %q", u)
			}
		}
	})
}
