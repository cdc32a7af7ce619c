package rules

import (
	"context"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"milter91/internal/txn"
)

func TestCombinators(t *testing.T) {
	facts := &txn.Facts{SPF: txn.SPF{Result: "fail"}, DMARC: txn.DMARC{Result: "fail", Policy: "none"}}
	runFactCases(t, []factCase{
		{"all true", "{all: [{spf: fail}, {dmarc: fail}]}", nil, facts, true, "spf=fail; dmarc=fail"},
		{"all one false", "{all: [{spf: fail}, {dmarc: pass}]}", nil, facts, false, ""},
		{"several keys mean all", "{spf: fail, dmarc: fail}", nil, facts, true, "spf=fail; dmarc=fail"},
		{"several keys one false", "{spf: fail, dmarc_policy: reject}", nil, facts, false, ""},
		{"any first true", "{any: [{spf: pass}, {dmarc_policy: none}, {spf: fail}]}", nil, facts, true, "dmarc_policy=none"},
		{"any none true", "{any: [{spf: pass}, {dmarc: pass}]}", nil, facts, false, ""},
		{"not false child", "{not: {spf: pass}}", nil, facts, true, "not(spf)"},
		{"not true child", "{not: {spf: fail}}", nil, facts, false, ""},
		{"not of several keys", "{not: {spf: fail, dmarc: pass}}", nil, facts, true, "not(spf,dmarc)"},
		{"nested", "{any: [{all: [{spf: fail}, {not: {dmarc: pass}}]}, {spf: pass}]}", nil, facts, true, "spf=fail; not(dmarc)"},
		{"combinator beside a fact", "{spf: fail, any: [{dmarc: pass}, {dmarc_policy: none}]}", nil, facts, true, "spf=fail; dmarc_policy=none"},
	})
}

// precedenceSet has score rules and forced rules keyed by subject words,
// so each case picks the rules that match through Facts.Subject.
const precedenceRules = `
settings: {tag_at: 5, quarantine_at: 10, reject_at: 15}
rules:
  - {id: SCORE_4, ref: t, score: 4, when: {subject: s4}}
  - {id: SCORE_12, ref: t, score: 12, when: {subject: s12}}
  - {id: SCORE_NEG, ref: t, score: -20, when: {subject: neg}}
  - {id: FORCE_ACCEPT, ref: t, action: accept, when: {subject: accept}}
  - {id: FORCE_TAG, ref: t, action: tag, when: {subject: ftag}}
  - {id: FORCE_QUAR, ref: t, action: quarantine, score: 1, when: {subject: quar}}
  - {id: TEMPFAIL_PLAIN, ref: t, action: tempfail, when: {subject: tf1}}
  - id: TEMPFAIL_REPLY
    ref: t
    action: tempfail
    reply: {code: 452, enhanced: 4.3.1, text: "try later, {rule}"}
    when: {subject: tf2}
  - {id: REJECT_PLAIN, ref: t, action: reject, when: {subject: rj1}}
  - id: REJECT_REPLY
    ref: t
    action: reject
    reply: {code: 554, enhanced: 5.7.1, text: "no: {rule} at {score}"}
    when: {subject: rj2}
`

func TestActionPrecedence(t *testing.T) {
	set := mustCompile(t, Source{Name: "p.yml", Data: []byte(precedenceRules)})
	tests := []struct {
		subject    string
		wantAction txn.Action
		wantForced bool
		wantScore  float64
		wantReply  string
	}{
		{"", txn.ActionAccept, false, 0, ""},
		{"s4", txn.ActionAccept, false, 4, ""},
		{"s4 quar", txn.ActionQuarantine, true, 5, ""},
		{"s12", txn.ActionQuarantine, false, 12, ""},
		{"s12 s4", txn.ActionReject, false, 16, "550 5.7.1 Message rejected as spam (score 16/15): SCORE_4, SCORE_12"},
		{"s12 s4 neg", txn.ActionAccept, false, -4, ""},
		{"s12 s4 accept", txn.ActionAccept, true, 16, ""},
		{"s12 s4 ftag", txn.ActionTag, true, 16, ""},
		{"ftag quar accept", txn.ActionQuarantine, true, 1, ""},
		{"quar tf1", txn.ActionTempfail, true, 1, "451 4.7.1 Message deferred by policy: TEMPFAIL_PLAIN"},
		{"tf1 tf2", txn.ActionTempfail, true, 0, "452 4.3.1 try later, TEMPFAIL_REPLY"},
		{"tf2 rj1", txn.ActionReject, true, 0, "550 5.7.1 Message rejected by policy: REJECT_PLAIN"},
		{"rj1 rj2 s4", txn.ActionReject, true, 4, "554 5.7.1 no: REJECT_REPLY at 4"},
		{"rj2 accept", txn.ActionReject, true, 0, "554 5.7.1 no: REJECT_REPLY at 0"},
	}
	for _, tt := range tests {
		t.Run(tt.subject, func(t *testing.T) {
			v := set.Evaluate(&txn.Transaction{}, &txn.Facts{Subject: tt.subject})
			if v.Action != tt.wantAction || v.Forced != tt.wantForced || v.Score != tt.wantScore {
				t.Errorf("got %v forced=%v score=%v, want %v forced=%v score=%v",
					v.Action, v.Forced, v.Score, tt.wantAction, tt.wantForced, tt.wantScore)
			}
			if got := v.Reply.String(); got != tt.wantReply {
				t.Errorf("reply = %q, want %q", got, tt.wantReply)
			}
			if v.TagAt != 5 || v.RejectAt != 15 {
				t.Errorf("thresholds in verdict = %v/%v, want 5/15", v.TagAt, v.RejectAt)
			}
		})
	}
}

func TestMatchesInFileOrder(t *testing.T) {
	set := mustCompile(t, Source{Name: "p.yml", Data: []byte(precedenceRules)})
	v := set.Evaluate(nil, &txn.Facts{Subject: "rj2 s4 neg"})
	want := []txn.Match{
		{ID: "SCORE_4", Score: 4, Ref: "t", Detail: "subject ~ /s4/"},
		{ID: "SCORE_NEG", Score: -20, Ref: "t", Detail: "subject ~ /neg/"},
		{ID: "REJECT_REPLY", Score: 0, Ref: "t", Detail: "subject ~ /rj2/"},
	}
	if !reflect.DeepEqual(v.Matches, want) {
		t.Errorf("matches = %+v, want %+v", v.Matches, want)
	}
}

func TestThresholds(t *testing.T) {
	rules := "rules:\n" +
		"  - {id: A, ref: t, score: 0.1, when: {subject: a}}\n" +
		"  - {id: B, ref: t, score: 0.2, when: {subject: b}}\n" +
		"  - {id: C, ref: t, score: 5, when: {subject: c}}\n"
	tests := []struct {
		name     string
		settings string
		subject  string
		want     txn.Action
	}{
		{"tag at threshold", "{tag_at: 5, reject_at: 15}", "c", txn.ActionTag},
		{"below tag", "{tag_at: 5.1, reject_at: 15}", "c", txn.ActionAccept},
		{"decimal sum reaches threshold", "{tag_at: 0.3}", "a b", txn.ActionTag},
		{"reject at threshold", "{tag_at: 1, reject_at: 5}", "c", txn.ActionReject},
		{"quarantine between", "{tag_at: 1, quarantine_at: 5, reject_at: 6}", "c", txn.ActionQuarantine},
		{"quarantine off", "{tag_at: 1, quarantine_at: 0, reject_at: 6}", "c", txn.ActionTag},
		{"all off", "{}", "a b c", txn.ActionAccept},
		{"only reject", "{reject_at: 5}", "c", txn.ActionReject},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := mustCompile(t, Source{Name: "t.yml", Data: []byte("settings: " + tt.settings + "\n" + rules)})
			if got := set.Evaluate(nil, &txn.Facts{Subject: tt.subject}).Action; got != tt.want {
				t.Errorf("action = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestReplyPlaceholders(t *testing.T) {
	rule := func(text string) Source {
		return src("rules:", "  - id: R", "    ref: t", "    action: reject", "    score: 2.5",
			`    reply: {code: 550, text: "`+text+`"}`, `    when: {any: [{dnsbl: zen.example.test}, {spf: fail}]}`)
	}
	tx := &txn.Transaction{Conn: txn.Conn{ClientIP: netip.MustParseAddr("::ffff:127.0.0.2"), HELO: "helo.example.net"},
		MailFrom: "a@example.org"}
	listed := func(secret bool) []txn.DNSBL {
		return []txn.DNSBL{{Zone: "zen.example.test", Sources: []string{"client"}, Listed: true, Secret: secret, Result: "listed",
			Answers: []netip.Addr{netip.MustParseAddr("127.0.0.2")}}}
	}
	facts := &txn.Facts{SPF: txn.SPF{Result: "fail", Domain: "example.org"}, DMARC: txn.DMARC{Domain: "example.com"}, DNSBL: listed(false)}
	tests := []struct {
		name  string
		text  string
		tx    *txn.Transaction
		facts *txn.Facts
		want  string
	}{
		{"all", "{client_ip} {helo} {mail_from} {dmarc_domain} {spf_domain} {zone} {rule} {score}", tx, facts,
			"127.0.0.2 helo.example.net a@example.org example.com example.org zen.example.test R 2.5"},
		{"secret zone", "blocked using {zone}", tx, &txn.Facts{DNSBL: listed(true)}, "blocked using a DNS blocklist"},
		{"zone of facts when rule matched another way", "{zone}", tx, &txn.Facts{SPF: txn.SPF{Result: "fail"},
			DNSBL: []txn.DNSBL{{Zone: "z.example.test", Blocked: true}, {Zone: "y.example.test", Sources: []string{"client"}, Listed: true}}}, "y.example.test"},
		{"no zone", "[{zone}]", tx, &txn.Facts{SPF: txn.SPF{Result: "fail"}}, "[]"},
		{"null sender and unknown client", "{mail_from} {client_ip} [{helo}]", &txn.Transaction{}, facts, "<> unknown []"},
		{"braces and percent", "{{literal}} 100%", tx, facts, "{literal} 100%"},
		{"client text made safe", "{helo}", &txn.Transaction{Conn: txn.Conn{HELO: "evil\r\n250 ok é"}}, facts, "evil??250 ok ??"},
		{"client text cut", "{mail_from}", &txn.Transaction{MailFrom: strings.Repeat("a", 300)}, facts, strings.Repeat("a", 100)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := mustCompile(t, rule(tt.text)).Evaluate(tt.tx, tt.facts)
			if v.Action != txn.ActionReject {
				t.Fatalf("action = %v, want reject", v.Action)
			}
			if v.Reply.Text != tt.want || v.Reply.Code != 550 || v.Reply.Enhanced != "5.7.1" {
				t.Errorf("reply = %q, want 550 5.7.1 %q", v.Reply.String(), tt.want)
			}
		})
	}
}

func TestEvaluateEmptyInput(t *testing.T) {
	set := mustCompile(t, append(Defaults(), Source{Name: "all.yml", Data: []byte(allFactsRule)})...)
	for _, tc := range []struct {
		name string
		tx   *txn.Transaction
		f    *txn.Facts
	}{{"nil both", nil, nil}, {"empty both", &txn.Transaction{}, &txn.Facts{}}} {
		v := set.Evaluate(tc.tx, tc.f)
		if v.Action != txn.ActionAccept || v.Forced {
			t.Errorf("%s: action = %v forced=%v, want accept", tc.name, v.Action, v.Forced)
		}
	}
	var none *Set
	if v := none.Evaluate(nil, nil); v.Action != txn.ActionAccept || len(v.Matches) != 0 {
		t.Errorf("nil set: %+v, want an empty accept verdict", v)
	}
	if none.Rules() != nil || none.Settings() != (Settings{}) {
		t.Errorf("nil set lists rules or settings")
	}
}

// allFactsRule uses every fact once so that empty input reaches each matcher.
const allFactsRule = `
rules:
  - id: EVERY_FACT
    ref: t
    score: 1
    when:
      any:
        - {spf: fail}
        - {spf_identity: helo}
        - {dkim: fail}
        - {dmarc: fail}
        - {dmarc_policy: reject}
        - {dnsbl: "*"}
        - {dnsbl_tag: sbl}
        - {dnsbl_blocked: "*"}
        - {dnsbl_result: listed}
        - {client_ip: "127.0.0.0/8"}
        - {helo: x}
        - {client_name: x}
        - {mail_from: x}
        - {rcpt: x}
        - {subject: x}
        - {auth_user: x}
        - {from: x}
        - {header: {name: X-A, match: x}}
        - {header: {name: X-A, exists: true}}
        - {size_over: 1MiB}
        - {authenticated: true}
        - {temperror: "*"}
`

// EvaluateContext gives Evaluate's verdict under a live context and stops
// with the context's error, before any rule, under an ended one.
func TestEvaluateContext(t *testing.T) {
	set := mustCompile(t, Source{Name: "p.yml", Data: []byte(precedenceRules)})
	f := &txn.Facts{Subject: "s4 s12"}
	v, err := set.EvaluateContext(context.Background(), nil, f)
	if want := set.Evaluate(nil, f); err != nil || !reflect.DeepEqual(v, want) || v.Score != 16 {
		t.Fatalf("live: %+v, %v; want %+v (score 16)", v, err, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	v, err = set.EvaluateContext(ctx, nil, f)
	if !errors.Is(err, context.Canceled) || len(v.Matches) != 0 {
		t.Errorf("ended: %+v, %v; want no match and context.Canceled", v, err)
	}
}
