package engine_test

import (
	"strings"
	"testing"

	"milter91/internal/engine"
	"milter91/internal/txn"
)

// tagRule scores 6 (over the shipped tag_at 5) for every test message.
const tagRule = `rules:
  - {id: TEST_TAG, ref: local policy, score: 6, when: {client_ip: 127.0.0.2}}
`

// quarantineRule forces quarantine for every test message.
const quarantineRule = `rules:
  - {id: TEST_HOLD, ref: local policy, action: quarantine, when: {client_ip: 127.0.0.2}}
`

// remaining applies out's deletes to headers: each names the Index-th
// header called Name in the original order (txn.Outcome: deletes come first
// and use the original indices).
func remaining(t *testing.T, headers []txn.Header, out *txn.Outcome) []string {
	t.Helper()
	drop := map[int]bool{}
	for _, e := range out.Edits {
		if e.Op != txn.EditDelete {
			continue
		}
		n, found := 0, false
		for i, h := range headers {
			if strings.EqualFold(h.Name, e.Name) {
				n++
				if n == e.Index {
					drop[i], found = true, true
				}
			}
		}
		if !found {
			t.Errorf("delete %+v names no header", e)
		}
	}
	var res []string
	for i, h := range headers {
		if !drop[i] {
			res = append(res, h.Name+":"+h.Value)
		}
	}
	return res
}

func TestIncomingHeadersDeleted(t *testing.T) {
	tests := []struct {
		name  string
		extra string // headers before plainMessage's
		kept  []string
	}{
		{
			name: "Authentication-Results claiming our id, among foreign ones",
			extra: "Authentication-Results: other.example.org; spf=pass smtp.mailfrom=example.com\r\n" +
				"Authentication-Results: mx.example.net; dkim=pass header.d=example.com\r\n" +
				"Authentication-Results: mx.example.net.example.org; spf=pass\r\n" +
				"Authentication-Results: MX.Example.NET 1; dmarc=pass\r\n",
			kept: []string{
				"Authentication-Results: other.example.org; spf=pass smtp.mailfrom=example.com",
				"Authentication-Results: mx.example.net.example.org; spf=pass",
			},
		},
		{
			name: "upstream X-Spam headers",
			extra: "X-Spam-Flag: NO\r\n" +
				"X-Spam-Status: No, score=-5.0 required=5.0\r\n" +
				"x-spam-score: -5.0\r\n" +
				"X-Mailer: example\r\n",
			kept: []string{"X-Mailer: example"},
		},
		{name: "nothing to delete", extra: "X-Mailer: example\r\n", kept: []string{"X-Mailer: example"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngine(t, engine.Options{Resolver: dns("v=spf1 ip4:127.0.0.0/8 -all", "")})
			tr := transaction(t, tc.extra+plainMessage)
			out := mustEvaluate(t, e, tr)
			head, _, _ := strings.Cut(plainMessage, "\r\n\r\n")
			want := strings.Join(append(tc.kept, strings.Split(head, "\r\n")...), "\n")
			if got := strings.Join(remaining(t, tr.Headers, out), "\n"); got != want {
				t.Errorf("headers left:\n%s\nwant:\n%s", got, want)
			}
			seenOther := false
			for _, ed := range out.Edits {
				if ed.Op != txn.EditDelete {
					seenOther = true
				} else if seenOther {
					t.Errorf("delete %+v after another edit; deletes come first", ed)
				}
			}
		})
	}
}

func TestAuthResultsInserted(t *testing.T) {
	tests := []struct {
		name   string
		rule   string
		action txn.Action
	}{
		{name: "accept", action: txn.ActionAccept},
		{name: "tag", rule: tagRule, action: txn.ActionTag},
		{name: "quarantine", rule: quarantineRule, action: txn.ActionQuarantine},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var extra []string
			if tc.rule != "" {
				extra = append(extra, tc.rule)
			}
			e := newEngine(t, engine.Options{Resolver: dns("v=spf1 ip4:127.0.0.0/8 -all", ""), Rules: compile(t, extra...)})
			out := mustEvaluate(t, e, transaction(t, plainMessage))
			if out.Verdict.Action != tc.action {
				t.Fatalf("action %v, want %v", out.Verdict.Action, tc.action)
			}
			ins := edits(out, txn.EditInsert, "Authentication-Results")
			if len(ins) != 1 {
				t.Fatalf("Authentication-Results inserts %+v, want one", ins)
			}
			if ins[0].Index != 1 || ins[0].Name != "Authentication-Results" {
				t.Errorf("insert %+v, want Authentication-Results at index 1", ins[0])
			}
			want := " " + authservID + ";"
			if !strings.HasPrefix(ins[0].Value, want) || !strings.Contains(unfoldAR(ins[0].Value), "spf=pass") {
				t.Errorf("value %q, want it to start with %q and carry spf=pass", ins[0].Value, want)
			}
		})
	}
}

func TestTagHeaders(t *testing.T) {
	tests := []struct {
		name  string
		rules []string
		want  map[string]string // X-Spam-* added, by name
	}{
		{name: "accept adds none", want: map[string]string{}},
		{
			name:  "one rule",
			rules: []string{tagRule},
			want: map[string]string{
				"X-Spam-Flag":   " YES",
				"X-Spam-Score":  " 6.0",
				"X-Spam-Level":  " ******",
				"X-Spam-Status": " Yes, score=6.0 required=5.0 tests=TEST_TAG",
			},
		},
		{
			name: "two rules, fractional score",
			rules: []string{tagRule, `rules:
  - {id: TEST_MORE, ref: local policy, score: 1.5, when: {helo: "^mail\\."}}
`},
			want: map[string]string{
				"X-Spam-Flag":   " YES",
				"X-Spam-Score":  " 7.5",
				"X-Spam-Level":  " *******",
				"X-Spam-Status": " Yes, score=7.5 required=5.0 tests=TEST_TAG,TEST_MORE",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngine(t, engine.Options{Resolver: dns("v=spf1 ip4:127.0.0.0/8 -all", ""), Rules: compile(t, tc.rules...)})
			out := mustEvaluate(t, e, transaction(t, plainMessage))
			got := map[string]string{}
			for _, ed := range out.Edits {
				if strings.HasPrefix(ed.Name, "X-Spam-") {
					if ed.Op != txn.EditAdd {
						t.Errorf("edit %+v, want op add", ed)
					}
					got[ed.Name] = ed.Value
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("X-Spam headers %q, want %q", got, tc.want)
			}
			for name, v := range tc.want {
				if got[name] != v {
					t.Errorf("%s = %q, want %q", name, got[name], v)
				}
			}
		})
	}
}

func TestSubjectPrefix(t *testing.T) {
	tests := []struct {
		name   string
		prefix string
		rule   string
		msg    string
		want   []txn.HeaderEdit // Subject edits
	}{
		{name: "off by default", rule: tagRule, msg: plainMessage},
		{name: "on, tagged", prefix: "[SPAM] ", rule: tagRule, msg: plainMessage,
			want: []txn.HeaderEdit{{Op: txn.EditChange, Name: "Subject", Index: 1, Value: " [SPAM] hello"}}},
		{name: "on, folded Subject kept", prefix: "[SPAM] ", rule: tagRule,
			msg:  strings.Replace(plainMessage, "Subject: hello", "Subject: hello\r\n world", 1),
			want: []txn.HeaderEdit{{Op: txn.EditChange, Name: "Subject", Index: 1, Value: " [SPAM] hello\r\n world"}}},
		{name: "on, no Subject", prefix: "[SPAM] ", rule: tagRule,
			msg:  strings.Replace(plainMessage, "Subject: hello\r\n", "", 1),
			want: []txn.HeaderEdit{{Op: txn.EditAdd, Name: "Subject", Value: " [SPAM]"}}},
		{name: "on, quarantined is not tagged", prefix: "[SPAM] ", rule: quarantineRule, msg: plainMessage},
		{name: "on, accepted", prefix: "[SPAM] ", msg: plainMessage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var extra []string
			if tc.rule != "" {
				extra = append(extra, tc.rule)
			}
			e := newEngine(t, engine.Options{
				Resolver: dns("v=spf1 ip4:127.0.0.0/8 -all", ""), Rules: compile(t, extra...), SubjectPrefix: tc.prefix,
			})
			out := mustEvaluate(t, e, transaction(t, tc.msg))
			var got []txn.HeaderEdit
			for _, ed := range out.Edits {
				if strings.EqualFold(ed.Name, "Subject") {
					got = append(got, ed)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("Subject edits %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("Subject edit %+v, want %+v", got[i], tc.want[i])
				}
			}
		})
	}
}

func TestQuarantineReason(t *testing.T) {
	e := newEngine(t, engine.Options{Resolver: dns("v=spf1 ip4:127.0.0.0/8 -all", ""), Rules: compile(t, quarantineRule)})
	out := mustEvaluate(t, e, transaction(t, plainMessage))
	if out.Verdict.Action != txn.ActionQuarantine || !strings.Contains(out.Quarantine, "TEST_HOLD") {
		t.Errorf("action %v reason %q, want quarantine naming TEST_HOLD", out.Verdict.Action, out.Quarantine)
	}
	for _, ed := range out.Edits {
		if strings.HasPrefix(ed.Name, "X-Spam-") && ed.Op != txn.EditDelete {
			t.Errorf("quarantined message got %+v; X-Spam headers are for tag", ed)
		}
	}
}
