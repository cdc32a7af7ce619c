package engine_test

import (
	"strings"
	"testing"

	"milter91/internal/engine"
	"milter91/internal/txn"
)

// TestQuarantineMethods: a DMARC failure of a p=quarantine domain is
// delivered to Junk by the DMARC method, held by hold; the Junk
// delivery carries X-Spam: Yes, the X-Spam-* fields and X-Milter91-Junk
// and no hold reason.
func TestQuarantineMethods(t *testing.T) {
	tests := []struct {
		name string
		q    engine.Quarantine
		junk bool
	}{
		{"zero value holds", engine.Quarantine{}, false},
		{"dmarc junk", engine.Quarantine{Default: engine.QuarantineHold, DMARC: engine.QuarantineJunk}, true},
		{"dmarc hold, default junk", engine.Quarantine{Default: engine.QuarantineJunk, DMARC: engine.QuarantineHold}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngine(t, engine.Options{Resolver: dns("v=spf1 -all", "v=DMARC1; p=quarantine"), Quarantine: tc.q})
			out := mustEvaluate(t, e, transaction(t, plainMessage))
			if out.Verdict.Action != txn.ActionQuarantine || !matched(out.Verdict, "DMARC_QUARANTINE") {
				t.Fatalf("verdict %v %v, want DMARC_QUARANTINE", out.Verdict.Action, out.Verdict.RuleIDs())
			}
			if out.Junk != tc.junk || (out.Quarantine == "") != tc.junk {
				t.Fatalf("junk %v, hold reason %q; want junk %v", out.Junk, out.Quarantine, tc.junk)
			}
			marks := edits(out, txn.EditAdd, engine.JunkHeader)
			spam := edits(out, txn.EditAdd, "X-Spam")
			flag := edits(out, txn.EditAdd, "X-Spam-Flag")
			if !tc.junk {
				if len(marks)+len(spam)+len(flag) != 0 {
					t.Errorf("held message has Junk fields %+v", out.Edits)
				}
				return
			}
			if len(spam) != 1 || spam[0].Value != " Yes" || len(flag) != 1 || flag[0].Value != " YES" {
				t.Errorf("X-Spam %+v, X-Spam-Flag %+v, want Yes and YES", spam, flag)
			}
			if len(marks) != 1 || !strings.HasPrefix(marks[0].Value, " quarantine; score=") || !strings.HasSuffix(marks[0].Value, "rules=SPF_FAIL,DMARC_QUARANTINE") {
				t.Errorf("%s %+v", engine.JunkHeader, marks)
			}
		})
	}
}

// TestJunkHeaderForgedDeleted: an upstream X-Milter91-Junk is deleted.
func TestJunkHeaderForgedDeleted(t *testing.T) {
	e := newEngine(t, engine.Options{Resolver: dns("v=spf1 ip4:127.0.0.0/8 -all", "")})
	out := mustEvaluate(t, e, transaction(t, "X-Milter91-Junk: no\r\n"+plainMessage))
	if d := edits(out, txn.EditDelete, engine.JunkHeader); len(d) != 1 {
		t.Errorf("deletes %+v, want the forged field deleted", d)
	}
}
