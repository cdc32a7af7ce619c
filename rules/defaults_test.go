package rules

import (
	"net/netip"
	"strings"
	"testing"

	"milter91/internal/txn"
)

func TestDefaultsCompile(t *testing.T) {
	srcs := Defaults()
	if len(srcs) == 0 {
		t.Fatal("no embedded default sources")
	}
	for _, s := range srcs {
		if !strings.HasPrefix(s.Name, "defaults/") || !strings.HasSuffix(s.Name, ".yml") {
			t.Errorf("default source name %q, want defaults/*.yml", s.Name)
		}
	}
	set := mustCompile(t, srcs...)
	if s := set.Settings(); s.TagAt != 5 || s.RejectAt != 15 || s.QuarantineAt != 0 {
		t.Errorf("default settings = %+v, want tag_at 5, reject_at 15", s)
	}
	for _, r := range set.Rules() {
		if r.Description == "" || !(strings.HasPrefix(r.Ref, "RFC ") || strings.HasPrefix(r.Ref, "Decree 91/2020 Art. ") || strings.HasPrefix(r.Ref, "Robinson, ") || strings.HasPrefix(r.Ref, "rspamd ")) || r.Disabled {
			t.Errorf("default rule %s: description %q, ref %q, disabled %v", r.ID, r.Description, r.Ref, r.Disabled)
		}
	}
}

func TestDefaultsBehaviour(t *testing.T) {
	set := mustCompile(t, Defaults()...)
	client := &txn.Transaction{Conn: txn.Conn{ClientIP: netip.MustParseAddr("127.0.0.2")}, MailFrom: "a@example.com"}
	authed := &txn.Transaction{Conn: client.Conn, MailFrom: client.MailFrom, AuthUser: "alice"}
	dmarc := func(policy string) txn.DMARC {
		return txn.DMARC{Result: "fail", Domain: "example.com", Policy: policy, Requested: policy}
	}
	testMode := func(policy, requested string) txn.DMARC {
		return txn.DMARC{Result: "fail", Domain: "example.com", Policy: policy, Testing: true, Requested: requested}
	}
	list := &txn.Transaction{Conn: client.Conn, MailFrom: "owner-list@lists.example.org",
		Headers: []txn.Header{{Name: "List-Id", Value: " <talk.lists.example.org>"}}}
	listed := func(secret bool) []txn.DNSBL {
		return []txn.DNSBL{{Zone: "zen.example.test", Sources: []string{"client"}, Listed: true, Secret: secret, Result: "listed",
			Answers: []netip.Addr{netip.MustParseAddr("127.0.0.2")}}}
	}
	tests := []struct {
		name       string
		tx         *txn.Transaction
		facts      txn.Facts
		wantAction txn.Action
		wantScore  float64
		wantIDs    string
		wantReply  string
	}{
		{"clean", client, txn.Facts{SPF: txn.SPF{Result: "pass"}, DMARC: txn.DMARC{Result: "pass"}},
			txn.ActionAccept, 0, "", ""},
		{"spf fail alone", client, txn.Facts{SPF: txn.SPF{Result: "fail"}}, txn.ActionAccept, 4, "SPF_FAIL", ""},
		{"spf softfail", client, txn.Facts{SPF: txn.SPF{Result: "softfail"}}, txn.ActionAccept, 1, "SPF_SOFTFAIL", ""},
		{"spf permerror", client, txn.Facts{SPF: txn.SPF{Result: "permerror"}}, txn.ActionAccept, 1, "SPF_PERMERROR", ""},
		{"spf temperror", client, txn.Facts{SPF: txn.SPF{Result: "temperror"}}, txn.ActionAccept, 0.5, "SPF_TEMPERROR", ""},
		{"bayes spam tags", client, txn.Facts{Bayes: txn.Bayes{Result: "spam", Probability: 0.95}}, txn.ActionTag, 5, "BAYES_SPAM", ""},
		{"bayes certain spam", client, txn.Facts{Bayes: txn.Bayes{Result: "spam", Probability: 0.9995}}, txn.ActionTag, 7, "BAYES_SPAM BAYES_SPAM_CERTAIN", ""},
		{"bayes certain spam with an SPF fail stays below reject", client, txn.Facts{SPF: txn.SPF{Result: "fail"}, Bayes: txn.Bayes{Result: "spam", Probability: 1}},
			txn.ActionTag, 11, "SPF_FAIL BAYES_SPAM BAYES_SPAM_CERTAIN", ""},
		{"bayes unsure", client, txn.Facts{Bayes: txn.Bayes{Result: "unsure", Probability: 0.5}}, txn.ActionAccept, 0, "", ""},
		{"bayes without a vote", client, txn.Facts{Bayes: txn.Bayes{Result: "none", Probability: 0.9995}}, txn.ActionAccept, 0, "", ""},
		{"dangerous double extension", client, txn.Facts{Content: []string{"dangerous_attachment", "double_extension"}}, txn.ActionTag, 5,
			"CONTENT_DANGEROUS_ATTACHMENT CONTENT_DOUBLE_EXTENSION", ""},
		{"every content signal stays below reject", client, txn.Facts{Content: []string{"dangerous_attachment", "double_extension", "ip_link",
			"shortener_link", "invisible_text", "mixed_script", "html_only", "freemail_reply_to", "missing_date", "missing_message_id",
			"undisclosed_recipients", "many_recipients"}}, txn.ActionTag, 14.3,
			"CONTENT_DANGEROUS_ATTACHMENT CONTENT_DOUBLE_EXTENSION CONTENT_IP_LINK CONTENT_SHORTENER_LINK CONTENT_INVISIBLE_TEXT CONTENT_MIXED_SCRIPT CONTENT_HTML_ONLY CONTENT_FREEMAIL_REPLY_TO CONTENT_MISSING_DATE CONTENT_MISSING_MESSAGE_ID CONTENT_UNDISCLOSED_RECIPIENTS CONTENT_MANY_RECIPIENTS", ""},
		{"bayes spam, authenticated", authed, txn.Facts{Bayes: txn.Bayes{Result: "spam", Probability: 1}}, txn.ActionAccept, 0, "", ""},
		{"dkim fail without pass", client, txn.Facts{DKIM: []txn.DKIM{{Result: "fail", Domain: "example.com"}}},
			txn.ActionAccept, 2, "DKIM_FAIL", ""},
		{"dkim fail beside a pass", client, txn.Facts{DKIM: []txn.DKIM{{Result: "fail"}, {Result: "pass"}}},
			txn.ActionAccept, 0, "", ""},
		{"spf, dkim and dmarc p=none fail: tag", client, txn.Facts{SPF: txn.SPF{Result: "fail"},
			DKIM: []txn.DKIM{{Result: "fail"}}, DMARC: dmarc("none")}, txn.ActionTag, 7.5, "SPF_FAIL DKIM_FAIL DMARC_FAIL_NONE", ""},
		{"dmarc p=quarantine", client, txn.Facts{DMARC: dmarc("quarantine")}, txn.ActionQuarantine, 0, "DMARC_QUARANTINE", ""},
		{"dmarc p=reject", client, txn.Facts{DMARC: dmarc("reject")}, txn.ActionReject, 0, "DMARC_REJECT",
			"550 5.7.26 DMARC policy of example.com rejects this message"},
		// RFC 9989 §4.7: t=y lowers the policy one level.
		{"dmarc p=reject t=y: quarantined", client, txn.Facts{DMARC: testMode("reject", "quarantine")}, txn.ActionQuarantine, 0, "DMARC_QUARANTINE", ""},
		{"dmarc p=quarantine t=y: scored as p=none", client, txn.Facts{DMARC: testMode("quarantine", "none")}, txn.ActionAccept, 1.5, "DMARC_FAIL_NONE", ""},
		// RFC 9989 §7.4: not rejected on p=reject alone when an indirect
		// flow is evident; quarantined as if p=quarantine.
		{"dmarc p=reject through a mailing list: quarantined", list, txn.Facts{DMARC: dmarc("reject")}, txn.ActionQuarantine, 0, "DMARC_REJECT_INDIRECT", ""},
		{"dmarc p=reject re-signed by a forwarder: quarantined", client, txn.Facts{DMARC: dmarc("reject"),
			DKIM: []txn.DKIM{{Result: "pass", Domain: "forwarder.example.net"}}}, txn.ActionQuarantine, 0, "DMARC_REJECT_INDIRECT", ""},
		{"dmarc p=reject, SPF pass of a rewriting forwarder: quarantined", client, txn.Facts{DMARC: dmarc("reject"),
			SPF: txn.SPF{Result: "pass", Domain: "srs.example.net"}}, txn.ActionQuarantine, 0, "DMARC_REJECT_INDIRECT", ""},
		{"dmarc p=reject, a passing ARC chain: quarantined", client, txn.Facts{DMARC: dmarc("reject"),
			ARC: txn.ARC{Result: "pass", Sealers: []string{"lists.example.org"}}}, txn.ActionQuarantine, 0, "DMARC_REJECT_INDIRECT", ""},
		{"dmarc temperror, p=reject: deferred", client, txn.Facts{DMARC: txn.DMARC{Result: "temperror", Domain: "example.com", Policy: "reject", Requested: "reject"}},
			txn.ActionTempfail, 0, "DMARC_TEMPERROR",
			"451 4.4.3 DMARC policy of example.com cannot be checked now (DNS temporary error), try again later"},
		{"dmarc temperror, p=quarantine: deferred", client, txn.Facts{DMARC: txn.DMARC{Result: "temperror", Domain: "example.com", Policy: "quarantine", Requested: "quarantine"}},
			txn.ActionTempfail, 0, "DMARC_TEMPERROR",
			"451 4.4.3 DMARC policy of example.com cannot be checked now (DNS temporary error), try again later"},
		{"dmarc temperror, p=none", client, txn.Facts{DMARC: txn.DMARC{Result: "temperror", Domain: "example.com", Policy: "none"}},
			txn.ActionAccept, 0, "", ""},
		{"dmarc temperror, record not fetched", client, txn.Facts{SPF: txn.SPF{Result: "temperror"}, DMARC: txn.DMARC{Result: "temperror", Domain: "example.com"}},
			txn.ActionAccept, 0.5, "SPF_TEMPERROR", ""},
		{"dnsbl listed", client, txn.Facts{DNSBL: listed(false)}, txn.ActionReject, 0, "DNSBL_LISTED",
			"554 5.7.1 Service unavailable; client [127.0.0.2] blocked using zen.example.test"},
		{"secret dnsbl", client, txn.Facts{DNSBL: listed(true)}, txn.ActionReject, 0, "DNSBL_LISTED",
			"554 5.7.1 Service unavailable; client [127.0.0.2] blocked using a DNS blocklist"},
		{"dnsbl blocked is no listing", client, txn.Facts{DNSBL: []txn.DNSBL{{Zone: "zen.example.test", Blocked: true, Result: "blocked"}}},
			txn.ActionAccept, 0, "", ""},
		{"authenticated user is not judged", authed, txn.Facts{SPF: txn.SPF{Result: "fail"}, DMARC: dmarc("reject"), DNSBL: listed(false)},
			txn.ActionAccept, 0, "", ""},
		{"authenticated user is not deferred", authed, txn.Facts{DMARC: txn.DMARC{Result: "temperror", Domain: "example.com", Policy: "reject", Requested: "reject"}},
			txn.ActionAccept, 0, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := set.Evaluate(tt.tx, &tt.facts)
			if v.Action != tt.wantAction || v.Score != tt.wantScore || strings.Join(v.RuleIDs(), " ") != tt.wantIDs {
				t.Errorf("got %v score %v rules %v, want %v score %v rules %q",
					v.Action, v.Score, v.RuleIDs(), tt.wantAction, tt.wantScore, tt.wantIDs)
			}
			if v.Reply.String() != tt.wantReply {
				t.Errorf("reply %q, want %q", v.Reply.String(), tt.wantReply)
			}
		})
	}
}
