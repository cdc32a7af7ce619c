package engine_test

import (
	"testing"

	"milter91/internal/engine"
	"milter91/internal/txn"
)

// TestLocalSubmissionSkipsInboundChecks: mail from sendmail(1) has no
// SMTP client, so SPF, DKIM, DMARC and the blocklists do not judge it
// (the From domain's p=reject would refuse it from any client), and it
// gets no Authentication-Results; the same message from a client fails.
func TestLocalSubmissionSkipsInboundChecks(t *testing.T) {
	e := newEngine(t, engine.Options{Resolver: dns("v=spf1 -all", "v=DMARC1; p=reject")})
	remote := transaction(t, plainMessage)
	if out := mustEvaluate(t, e, remote); out.Verdict.Action != txn.ActionReject {
		t.Fatalf("from a client: %v, want the DMARC reject", out.Verdict.Action)
	}
	local := transaction(t, plainMessage)
	local.Conn = txn.Conn{Local: true, ClientName: "localhost", HELO: "localhost"}
	out := mustEvaluate(t, e, local)
	if out.Verdict.Action != txn.ActionAccept {
		t.Errorf("local submission: %v %v, want accept", out.Verdict.Action, out.Verdict.RuleIDs())
	}
	if ar := edits(out, txn.EditInsert, "Authentication-Results"); len(ar) != 0 {
		t.Errorf("local submission got %+v", ar)
	}
	if _, ok := out.Facts.Durations["spf"]; ok {
		t.Error("SPF ran for a local submission")
	}
}
