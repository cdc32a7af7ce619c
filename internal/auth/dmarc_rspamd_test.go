package auth

import (
	"bufio"
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// TestDMARCRspamd evaluates rspamd's DMARC messages end to end (CheckSPF,
// VerifyDKIM, CheckDMARC) with the connection parameters and expectations of
// testdata/dmarc/rspamd/EXPECTED.md; DNS answers come from fake-dns.json.
// "-" in EXPECTED.md (no IP, no MAIL FROM) is the zero netip.Addr and the
// null sender, which give SPF none. Where rspamd turns pct=0 into a weaker
// action, we only record Policy and Pct: the rules apply them.
func TestDMARCRspamd(t *testing.T) {
	fake := loadRspamdDNS(t, "testdata/dmarc/rspamd/fake-dns.json")
	tests := []struct {
		file, ip, mailFrom string
		result, policy     string
		pct                int
	}{
		{file: "pass_none.eml", result: "pass", policy: "none", pct: 100},
		{file: "fail_none.eml", ip: "8.8.4.4", mailFrom: "foo@spf.cacophony.za.org", result: "pass", policy: "none", pct: 100},
		{file: "fail_none.eml", result: "fail", policy: "none", pct: 100},
		{file: "fail_reject.eml", ip: "1.2.3.4", mailFrom: "foo@example.net", result: "fail", policy: "reject", pct: 100},
		{file: "fail_quarantine.eml", ip: "1.2.3.4", mailFrom: "foo@example.net", result: "fail", policy: "quarantine", pct: 100},
		{file: "subdomain_fail_none.eml", result: "fail", policy: "none", pct: 100},
		{file: "subdomain_fail_reject.eml", result: "fail", policy: "reject", pct: 100},
		{file: "subdomain_fail_quarantine.eml", result: "fail", policy: "quarantine", pct: 100},
		{file: "onsubdomain_fail_alignment.eml", result: "fail", policy: "reject", pct: 100},
		{file: "onsubdomain_pass_relaxed.eml", result: "pass", policy: "reject", pct: 100},
		{file: "onsubdomain_fail_alignment.eml", ip: "37.48.67.26", mailFrom: "foo@yo.mom.za.org", result: "pass", policy: "reject", pct: 100},
		{file: "onsubdomain_fail_alignment.eml", ip: "37.48.67.26", mailFrom: "foo@mom.za.org", result: "fail", policy: "reject", pct: 100},
		{file: "onsubdomain_fail.eml", ip: "37.48.67.26", mailFrom: "foo@mom.za.org", result: "pass", policy: "reject", pct: 100},
		{file: "dmarc_tmpfail.eml", ip: "37.48.67.26", mailFrom: "foo@mom.za.org", result: "temperror"},
		{file: "utf.eml", ip: "37.48.67.26", mailFrom: "foo@mom.za.org", result: "none"},
		{file: "pct_none.eml", ip: "37.48.67.26", mailFrom: "foo@mom.za.org", result: "fail", policy: "reject", pct: 0},
		{file: "pct_none1.eml", ip: "37.48.67.26", mailFrom: "foo@mom.za.org", result: "fail", policy: "quarantine", pct: 0},
	}
	for _, tc := range tests {
		path := filepath.Join("testdata/dmarc/rspamd", tc.file)
		from := fromFields(t, path)
		ip, _ := netip.ParseAddr(tc.ip)
		spfRes := CheckSPF(context.Background(), fake, ip, "mx.example.net", tc.mailFrom)
		dkimRes := verifyFile(t, fake, path)
		got := CheckDMARC(context.Background(), fake, from, spfRes, dkimRes)
		if got.Result != tc.result || got.Policy != tc.policy || got.Pct != tc.pct {
			t.Errorf("%s (ip %q, mail from %q): got %s p=%s pct=%d (%s; spf=%s dkim=%v), want %s p=%s pct=%d",
				tc.file, tc.ip, tc.mailFrom, got.Result, got.Policy, got.Pct, got.Detail, spfRes.Result,
				dkimResults(dkimRes), tc.result, tc.policy, tc.pct)
		}
	}
	if got := verifyFile(t, fake, "testdata/dmarc/rspamd/utf.eml"); len(got) != 0 {
		t.Errorf("utf.eml: %d DKIM results, want none (R_DKIM_NA)", len(got))
	}
}

// fromFields returns the From of a message file.
func fromFields(t *testing.T, path string) mailmsg.From {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fields, _, err := mailmsg.ReadHeader(bufio.NewReader(f))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return mailmsg.NewView(fields).From
}

func dkimResults(res []txn.DKIM) []string {
	out := make([]string, 0, len(res))
	for _, r := range res {
		out = append(out, r.Result+"/"+r.Domain)
	}
	return out
}
