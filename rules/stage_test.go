package rules

import (
	"context"
	"net/netip"
	"testing"

	"milter91/internal/txn"
)

// earlySrc is an at: rcpt rule rejecting a client an early zone lists.
var earlySrc = src("rules:",
	"  - id: EARLY",
	"    ref: RFC 5782 §2.1",
	"    at: rcpt",
	"    action: reject",
	`    reply: {code: 554, enhanced: 5.7.1, text: "Service unavailable; client [{client_ip}] blocked using {zone}"}`,
	`    when: {dnsbl: "*", not: {allowlist: "*"}, authenticated: false}`)

// An at: rcpt rule decides only at RCPT, and the end-of-message rules
// only at the end of the message.
func TestStages(t *testing.T) {
	late := src("rules:", "  - {id: LATE, ref: x, action: reject, when: {dnsbl: \"*\"}}")
	late.Name = "late.yml"
	set := mustCompile(t, earlySrc, late)
	if !set.HasStage(AtRCPT) || !set.HasStage(AtEOM) || mustCompile(t, late).HasStage(AtRCPT) {
		t.Error("HasStage does not follow the rules' at:")
	}
	listed := &txn.Facts{DNSBL: []txn.DNSBL{{Zone: "bl.example.test", Sources: []string{"client"}, Listed: true, Secret: true,
		Answers: []netip.Addr{netip.MustParseAddr("127.0.0.2")}}}}
	tx := &txn.Transaction{Conn: txn.Conn{ClientIP: netip.MustParseAddr("::ffff:192.0.2.7")}}
	v, err := set.EvaluateInput(context.Background(), AtRCPT, Input{Txn: tx, Facts: listed})
	if err != nil || v.Action != txn.ActionReject || v.RuleIDs()[0] != "EARLY" || len(v.Matches) != 1 ||
		v.Reply.String() != "554 5.7.1 Service unavailable; client [192.0.2.7] blocked using a DNS blocklist" {
		t.Errorf("at RCPT: %v %v %q, %v", v.Action, v.RuleIDs(), v.Reply.String(), err)
	}
	v = set.Evaluate(tx, listed)
	if len(v.Matches) != 1 || v.Matches[0].ID != "LATE" {
		t.Errorf("at end of message: %v, want LATE only", v.RuleIDs())
	}
	if set.Rules()[0].At != AtRCPT || set.Rules()[1].At != AtEOM || AtRCPT.String() != "rcpt" {
		t.Errorf("RuleInfo.At: %v %v", set.Rules()[0].At, set.Rules()[1].At)
	}
}

func TestStageErrors(t *testing.T) {
	tests := []struct {
		name string
		src  Source
		want []string
	}{
		{name: "fact not known at RCPT", src: src("rules:", "  - {id: E, ref: x, at: rcpt, action: reject, when: {spf: fail, helo: x}}"),
			want: []string{`r.yml:2:54|rule E: fact "spf" is not known at RCPT (at: rcpt rules can use allowlist, authenticated, blocklist, client_ip, client_name, dnsbl, dnsbl_tag)`,
				`r.yml:2:65|fact "helo" is not known at RCPT`}},
		{name: "inside not", src: src("rules:", "  - {id: E, ref: x, at: rcpt, action: reject, when: {not: {subject: x}}}"),
			want: []string{`r.yml:2:60|fact "subject" is not known at RCPT`}},
		{name: "score", src: src("rules:", "  - {id: E, ref: x, at: rcpt, score: 1, when: {dnsbl: x.test}}"),
			want: []string{"r.yml:2:25|rule E: at: rcpt takes no score"}},
		{name: "tempfail", src: src("rules:", "  - {id: E, ref: x, at: rcpt, action: tempfail, when: {dnsbl: x.test}}"),
			want: []string{"r.yml:2:39|rule E: at: rcpt needs action: reject"}},
		{name: "unknown stage", src: src("rules:", "  - {id: E, ref: x, at: data, action: reject, when: {dnsbl: x.test}}"),
			want: []string{`r.yml:2:25|unknown at "data" (want rcpt, or eom`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile([]Source{tc.src})
			checkErrors(t, err, tc.want)
		})
	}
}

// An override can move a rule to the end of the message (at: eom).
func TestStageOverride(t *testing.T) {
	over := src("rules:", "  - {id: EARLY, override: true, at: eom}")
	over.Name = "over.yml"
	set := mustCompile(t, earlySrc, over)
	if set.HasStage(AtRCPT) || set.Rules()[0].At != AtEOM {
		t.Error("the override did not move the rule to the end of the message")
	}
}

// The registry facts read the recipient the rules are evaluated for.
func TestRecipientInput(t *testing.T) {
	set := mustCompile(t, src("rules:",
		"  - id: R",
		"    ref: x",
		"    action: reject",
		`    reply: {code: 550, text: "refused by {rcpt}"}`,
		"    when: {decree91.refused: true}"))
	f := &txn.Facts{Decree: txn.Decree{DecreeAnalysis: txn.DecreeAnalysis{Advertising: true},
		Recipients: []txn.DecreeRecipient{{Rcpt: "a@example.net"}, {Rcpt: "b@example.net", Refused: true}}}}
	ctx := context.Background()
	if v, _ := set.EvaluateInput(ctx, AtEOM, Input{Facts: f}); v.Reply.Text != "refused by a@example.net" {
		// The message as a whole: some recipient refused; {rcpt} is the first.
		t.Errorf("message: %v %q", v.Action, v.Reply.Text)
	}
	if v, _ := set.EvaluateInput(ctx, AtEOM, Input{Facts: f, Recipient: &f.Decree.Recipients[0]}); v.Action != txn.ActionAccept {
		t.Errorf("recipient a: %v, want accept", v.Action)
	}
	if v, _ := set.EvaluateInput(ctx, AtEOM, Input{Facts: f, Recipient: &f.Decree.Recipients[1]}); v.Reply.Text != "refused by b@example.net" {
		t.Errorf("recipient b: %v %q", v.Action, v.Reply.Text)
	}
}

func TestFromStatusFact(t *testing.T) {
	for _, tc := range []struct {
		status string
		want   bool
	}{{"missing", true}, {"unparsable", true}, {"ok", false}, {"", false}} {
		ok, detail := evalCond(t, "{from_status: [missing, unparsable]}", nil, &txn.Facts{FromStatus: tc.status})
		if ok != tc.want || (ok && detail != "from_status="+tc.status) {
			t.Errorf("from_status %q: matched %v %q", tc.status, ok, detail)
		}
	}
	_, err := Compile([]Source{condRule("{from_status: broken}")})
	checkErrors(t, err, []string{`r.yml:5:25|unknown from_status value "broken"`})
}
