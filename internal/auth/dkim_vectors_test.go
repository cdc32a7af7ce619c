package auth

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"milter91/internal/resolver"
	"milter91/internal/txn"
)

// verdict folds per-signature results the way Mail::DKIM reports a message:
// pass if any signature passes, else fail if any fails, else invalid if any
// signature exists, else none.
func verdict(res []txn.DKIM) string {
	v := "none"
	for _, r := range res {
		switch {
		case r.Result == txn.ResultPass:
			return "pass"
		case r.Result == txn.ResultFail:
			v = "fail"
		case v == "none":
			v = "invalid"
		}
	}
	return v
}

func verifyFile(t *testing.T, r resolver.Resolver, path string) []txn.DKIM {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := VerifyDKIM(context.Background(), r, f, 0)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return res
}

// mailDKIMDiffers lists the mail-dkim corpus files where our verdict differs
// from upstream's, grouped by reason (testdata/dkim/README.md has the same
// table).
var mailDKIMDiffers = []struct {
	why     string
	verdict string // ours
	files   []string
}{
	{why: "signature from a pre-RFC 4871 draft (no v= or v=0.5); RFC 6376 §3.5 requires v=1",
		verdict: "invalid", files: []string{"good_ietf00_1.txt", "good_ietf00_2.txt", "good_ietf00_3.txt",
			"good_ietf00_4.txt", "good_ietf00_5.txt", "mine_ietf01_1.txt", "mine_ietf01_2.txt", "mine_ietf01_3.txt",
			"mine_ietf01_4.txt", "mine_ietf05_1.txt", "good_ietf01_1.txt", "good_ietf01_2.txt", "multiple_1.txt",
			"bad_ietf01_1.txt", "bad_ietf01_2.txt", "bad_ietf01_3.txt", "bad_1.txt",
			"no_body_1.txt", "no_body_2.txt", "no_body_3.txt"}},
	{why: "rsa-sha1 is not valid (RFC 8301 §3.1)",
		verdict: "invalid", files: []string{"good_83176.txt", "multiple_2.txt", "bad_1878954.txt"}},
	{why: "RSA key below 1024 bits is not valid (RFC 8301 §3.2)",
		verdict: "invalid", files: []string{"good_rfc4871_3.txt", "good_1878523.txt", "good_qp_1.txt",
			"goodkey_1.txt", "goodkey_2.txt", "goodkey_3.txt", "goodkey_4.txt"}},
	{why: "go-msgauth compares i= with d= case-sensitively, without dkim-quoted-printable decoding",
		verdict: "invalid", files: []string{"good_rfc4871_4.txt", "good_qp_2.txt", "good_qp_3.txt"}},
	{why: "DomainKeys (RFC 4870, historic) signatures only: not verified",
		verdict: "none", files: []string{"good_dk_gmail.txt", "good_dk_yahoo.txt", "good_dk_1.txt", "good_dk_2.txt",
			"good_dk_3.txt", "good_dk_4.txt", "good_dk_5.txt", "good_dk_6.txt", "good_dk_7.txt",
			"dk_headers_1.txt", "dk_headers_2.txt", "dk_multiple_1.txt",
			"bad_dk_1.txt", "bad_dk_2.txt", "bad_dk_3.txt", "bad_dk_4.txt", "bad_dk_5.txt"}},
}

// ourMailDKIMVerdicts returns file -> our verdict for mailDKIMDiffers.
func ourMailDKIMVerdicts() map[string]string {
	m := map[string]string{}
	for _, d := range mailDKIMDiffers {
		for _, f := range d.files {
			m[f] = d.verdict
		}
	}
	return m
}

// TestDKIMMailDKIMCorpus checks the 79 mail-dkim messages against
// EXPECTED.tsv, with keys from FAKE_DNS.dat in a resolver.Fake.
func TestDKIMMailDKIMCorpus(t *testing.T) {
	fake := loadFakeDNSDat(t, "testdata/dkim/mail-dkim/FAKE_DNS.dat")
	f, err := os.Open("testdata/dkim/mail-dkim/EXPECTED.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ours := ourMailDKIMVerdicts()
	seen := map[string]bool{}
	var total, agree int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "#") || sc.Text() == "" {
			continue
		}
		cols := strings.Split(sc.Text(), "\t")
		file, upstream := cols[0], cols[1]
		seen[file] = true
		total++
		got := verdict(verifyFile(t, fake, filepath.Join("testdata/dkim/mail-dkim/corpus", file)))
		want := upstream
		if v, ok := ours[file]; ok {
			want = v
		}
		if got != want {
			t.Errorf("%s: got %s, want %s (upstream %s)", file, got, want, upstream)
		}
		if got == upstream {
			agree++
		}
	}
	for file := range ours {
		if !seen[file] {
			t.Errorf("mailDKIMDiffers names %s, which EXPECTED.tsv does not list", file)
		}
	}
	t.Logf("mail-dkim corpus: %d messages, %d agree with upstream, %d documented differences",
		total, agree, len(ours))
	if total != 79 {
		t.Errorf("EXPECTED.tsv has %d rows, want 79", total)
	}
}

// TestDKIMRFC8463 verifies the RFC 8463 Appendix A message, signed with
// Ed25519 and RSA, with the key records of dns.json.
func TestDKIMRFC8463(t *testing.T) {
	data, err := os.ReadFile("testdata/dkim/rfc8463/dns.json")
	if err != nil {
		t.Fatal(err)
	}
	var zone map[string]map[string][][]string
	if err := json.Unmarshal(data, &zone); err != nil {
		t.Fatal(err)
	}
	fake := newFake()
	for name, types := range zone {
		for _, rec := range types["TXT"] {
			fake.TXT[name] = append(fake.TXT[name], strings.Join(rec, ""))
		}
	}
	got := verifyFile(t, fake, "testdata/dkim/rfc8463/signed.eml")
	want := []txn.DKIM{
		{Result: "pass", Domain: "football.example.com", Selector: "brisbane", Identity: "@football.example.com",
			Algorithm: "ed25519-sha256", HeaderB: "/gCrinpc"},
		{Result: "pass", Domain: "football.example.com", Selector: "test", Identity: "@football.example.com",
			Algorithm: "rsa-sha256", HeaderB: "F45dVWDf"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("signature %d: got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

// TestDKIMMimeKitGmail verifies a gmail.com message with the published key
// of gmail.pub (PEM SubjectPublicKeyInfo).
func TestDKIMMimeKitGmail(t *testing.T) {
	pem, err := os.ReadFile("testdata/dkim/mimekit/gmail.pub")
	if err != nil {
		t.Fatal(err)
	}
	var b64 strings.Builder
	for _, line := range strings.Split(string(pem), "\n") {
		if !strings.HasPrefix(line, "-----") {
			b64.WriteString(strings.TrimSpace(line))
		}
	}
	fake := &resolver.Fake{TXT: map[string][]string{
		"20120113._domainkey.gmail.com": {"k=rsa; p=" + b64.String()}}}
	got := verifyFile(t, fake, "testdata/dkim/mimekit/gmail.msg")
	if len(got) != 1 || got[0].Result != txn.ResultPass || got[0].Domain != "gmail.com" {
		t.Errorf("got %+v, want one pass for gmail.com", got)
	}
}

// TestDKIMRspamd checks rspamd's DKIM messages (dkim/rspamd and the DKIM
// cases of dmarc/rspamd) against their EXPECTED.md, keys from
// fake-dns.json. want lists the acceptable verdicts; where ours differs
// from rspamd's the comment says so.
func TestDKIMRspamd(t *testing.T) {
	fake := loadRspamdDNS(t, "testdata/dmarc/rspamd/fake-dns.json")
	tests := []struct {
		file string
		want []string // acceptable results of the signature that matters
		sig  int      // its index; -1: every result must be in want
	}{
		{file: "dkim/rspamd/ed25519.eml", want: []string{"pass"}, sig: -1},
		{file: "dkim/rspamd/ed25519-broken.eml", want: []string{"fail"}, sig: -1},
		{file: "dkim/rspamd/dkim_broken_key.eml", want: []string{"permerror"}, sig: 0},
		// rspamd: permerror (key record or modulus over its size limit).
		// go-msgauth has no size limit: the key is accepted and the
		// signature fails. Both are non-pass.
		{file: "dkim/rspamd/dkim_key_too_long.eml", want: []string{"permerror", "fail"}, sig: 0},
		{file: "dkim/rspamd/dkim_key_too_wide.eml", want: []string{"permerror", "fail"}, sig: 0},
		{file: "dkim/rspamd/dkim_key_wide_ok.eml", want: []string{"fail"}, sig: 0},
		{file: "dkim/rspamd/dkim_revoked_key.eml", want: []string{"permerror"}, sig: 0},
		{file: "dkim/rspamd/dkim_huge_hlist.eml", want: []string{"permerror", "fail", "temperror", "policy"}, sig: -1},
		{file: "dkim/rspamd/dkim_large_hlist.eml", want: []string{"permerror"}, sig: 0},
		// Six signatures, the valid one last: with the limit of 5 it is
		// never verified, so nothing passes.
		{file: "dkim/rspamd/dkim_many_sigs.eml", want: []string{"permerror"}, sig: -1},
		{file: "dkim/rspamd/dkim_sigs_at_limit.eml", want: []string{"pass"}, sig: 4},
		{file: "dmarc/rspamd/bad_dkim1.eml", want: []string{"permerror"}, sig: 0},
		{file: "dmarc/rspamd/bad_dkim2.eml", want: []string{"permerror"}, sig: 0},
		{file: "dmarc/rspamd/bad_dkim3.eml", want: []string{"temperror"}, sig: 0},
		{file: "dmarc/rspamd/dkim_unknown_tags.eml", want: []string{"pass"}, sig: 0},
		{file: "dmarc/rspamd/good_dkim_highsecure.eml", want: []string{"pass"}, sig: 0},
		{file: "dmarc/rspamd/bad_dkim_highsecure.eml", want: []string{"fail"}, sig: 0},
		{file: "dmarc/rspamd/good_dkim_rspamd.eml", want: []string{"pass"}, sig: 0},
		{file: "dmarc/rspamd/bad_dkim_rspamd.eml", want: []string{"fail"}, sig: 0},
	}
	for _, tc := range tests {
		got := verifyFile(t, fake, filepath.Join("testdata", tc.file))
		if len(got) == 0 {
			t.Errorf("%s: no signature verified", tc.file)
			continue
		}
		if len(got) > DefaultMaxSignatures {
			t.Errorf("%s: %d results, more than the limit", tc.file, len(got))
		}
		for i, r := range got {
			if (tc.sig == -1 || tc.sig == i) && !slices.Contains(tc.want, r.Result) {
				t.Errorf("%s: signature %d (d=%s) = %s (%s), want one of %v",
					tc.file, i, r.Domain, r.Result, r.Detail, tc.want)
			}
		}
	}
}
