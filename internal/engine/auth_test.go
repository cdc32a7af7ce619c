package engine_test

import (
	"strings"
	"testing"

	"milter91/internal/engine"
	"milter91/internal/txn"
)

func TestSPFFactsAndRules(t *testing.T) {
	tests := []struct {
		name     string
		record   string
		result   string
		rule     string // shipped rule that must match, "" for none
		score    float64
		arResult string // in our Authentication-Results
	}{
		{name: "pass", record: "v=spf1 ip4:127.0.0.0/8 -all", result: txn.ResultPass, arResult: "spf=pass smtp.mailfrom=example.com"},
		{name: "fail", record: "v=spf1 -all", result: txn.ResultFail, rule: "SPF_FAIL", score: 4, arResult: "spf=fail smtp.mailfrom=example.com"},
		{name: "softfail", record: "v=spf1 ~all", result: txn.ResultSoftfail, rule: "SPF_SOFTFAIL", score: 1, arResult: "spf=softfail smtp.mailfrom=example.com"},
		{name: "no record", record: "", result: txn.ResultNone, arResult: "spf=none smtp.mailfrom=example.com"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngine(t, engine.Options{Resolver: dns(tc.record, "")})
			out := mustEvaluate(t, e, transaction(t, plainMessage))
			spf := out.Facts.SPF
			if spf.Result != tc.result || spf.Identity != "mailfrom" || spf.Domain != senderDom {
				t.Errorf("SPF fact = %+v, want result %s, identity mailfrom, domain %s", spf, tc.result, senderDom)
			}
			for _, id := range []string{"SPF_FAIL", "SPF_SOFTFAIL", "SPF_PERMERROR", "SPF_TEMPERROR"} {
				if got := matched(out.Verdict, id); got != (id == tc.rule) {
					t.Errorf("rule %s matched = %v, want %v (matches %v)", id, got, id == tc.rule, out.Verdict.RuleIDs())
				}
			}
			if out.Verdict.Score != tc.score {
				t.Errorf("score = %v, want %v", out.Verdict.Score, tc.score)
			}
			if out.Verdict.Action != txn.ActionAccept {
				t.Errorf("action = %v, want accept (below tag_at 5)", out.Verdict.Action)
			}
			ar := edits(out, txn.EditInsert, "Authentication-Results")
			if len(ar) != 1 || !strings.Contains(unfoldAR(ar[0].Value), tc.arResult) {
				t.Errorf("Authentication-Results inserts = %+v, want one containing %q", ar, tc.arResult)
			}
		})
	}
}

// unfoldAR undoes the folding of a header value (CRLF + WSP → one space).
func unfoldAR(v string) string {
	v = strings.ReplaceAll(v, "\r\n\t", " ")
	return strings.ReplaceAll(v, "\r\n ", " ")
}

func TestDKIMSignedMessagePasses(t *testing.T) {
	key := testKey(t)
	signed := signDKIM(t, key, senderDom, plainMessage)
	tests := []struct {
		name    string
		msg     string
		dkim    string
		dmarc   string
		action  txn.Action
		dkimErr bool // DKIM_FAIL must match
	}{
		// SPF fails, but the aligned DKIM pass makes DMARC pass (RFC 7489 §4.2).
		{name: "signed", msg: signed, dkim: txn.ResultPass, dmarc: txn.ResultPass, action: txn.ActionAccept},
		{name: "body changed", msg: strings.Replace(signed, "Hello Bob.", "Hello Eve.", 1),
			dkim: txn.ResultFail, dmarc: txn.ResultFail, action: txn.ActionReject, dkimErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := dns("v=spf1 -all", "v=DMARC1; p=reject")
			res.TXT[selector+"._domainkey."+senderDom] = []string{keyRecord(t, key)}
			e := newEngine(t, engine.Options{Resolver: res})
			out := mustEvaluate(t, e, transaction(t, tc.msg))
			if len(out.Facts.DKIM) != 1 {
				t.Fatalf("DKIM facts = %+v, want one", out.Facts.DKIM)
			}
			d := out.Facts.DKIM[0]
			if d.Result != tc.dkim || d.Domain != senderDom || d.Selector != selector || d.Algorithm != "rsa-sha256" {
				t.Errorf("DKIM fact = %+v, want %s d=%s s=%s rsa-sha256", d, tc.dkim, senderDom, selector)
			}
			if out.Facts.DMARC.Result != tc.dmarc || out.Facts.DMARC.DKIMAligned != (tc.dkim == txn.ResultPass) {
				t.Errorf("DMARC fact = %+v, want %s", out.Facts.DMARC, tc.dmarc)
			}
			if out.Verdict.Action != tc.action || matched(out.Verdict, "DKIM_FAIL") != tc.dkimErr {
				t.Errorf("verdict %v rules %v, want %v with DKIM_FAIL %v", out.Verdict.Action, out.Verdict.RuleIDs(), tc.action, tc.dkimErr)
			}
		})
	}
}

func TestDMARCPolicies(t *testing.T) {
	tests := []struct {
		name       string
		record     string
		action     txn.Action
		reply      txn.Reply
		quarantine string // substring of Outcome.Quarantine
	}{
		{name: "reject", record: "v=DMARC1; p=reject", action: txn.ActionReject,
			reply: txn.Reply{Code: 550, Enhanced: "5.7.26", Text: "DMARC policy of example.com rejects this message"}},
		{name: "quarantine", record: "v=DMARC1; p=quarantine", action: txn.ActionQuarantine, quarantine: "DMARC_QUARANTINE"},
		// SPF_FAIL 4 + DMARC_FAIL_NONE 1.5 reaches tag_at 5.
		{name: "none", record: "v=DMARC1; p=none", action: txn.ActionTag},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngine(t, engine.Options{Resolver: dns("v=spf1 -all", tc.record)})
			out := mustEvaluate(t, e, transaction(t, plainMessage))
			if out.Facts.DMARC.Result != txn.ResultFail || out.Facts.DMARC.Domain != senderDom {
				t.Errorf("DMARC fact = %+v, want fail for %s", out.Facts.DMARC, senderDom)
			}
			if out.Verdict.Action != tc.action || out.Verdict.Reply != tc.reply {
				t.Errorf("verdict %v %q, want %v %q", out.Verdict.Action, out.Verdict.Reply, tc.action, tc.reply)
			}
			if tc.action == txn.ActionReject && len(out.Edits) != 0 {
				t.Errorf("a rejected message got edits %+v", out.Edits)
			}
			if tc.quarantine == "" && out.Quarantine != "" || !strings.Contains(out.Quarantine, tc.quarantine) {
				t.Errorf("Quarantine = %q, want it to contain %q", out.Quarantine, tc.quarantine)
			}
		})
	}
}
