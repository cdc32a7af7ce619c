package engine_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"milter91/internal/engine"
	"milter91/internal/txn"
)

// fakeIntake stores every message that holds "Feedback-Type"; err fails.
type fakeIntake struct {
	got []string
	err error
}

func (f *fakeIntake) TakeMessage(_ context.Context, msg io.Reader) (txn.SpamReport, error) {
	data, _ := io.ReadAll(msg)
	if f.err != nil {
		return txn.SpamReport{}, f.err
	}
	if !strings.Contains(string(data), "Feedback-Type") {
		return txn.SpamReport{Problem: "not a feedback report"}, nil
	}
	f.got = append(f.got, string(data))
	return txn.SpamReport{Stored: true, ID: int64(len(f.got)), FeedbackType: "abuse"}, nil
}

const arfMessage = "From: user@example.net\r\nTo: abuse@example.net\r\nSubject: report\r\n" +
	"Content-Type: multipart/report; report-type=feedback-report; boundary=b\r\n\r\n" +
	"--b\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\n--b--\r\n"

func reportEngine(t *testing.T, intake *fakeIntake, discard bool) *engine.Engine {
	return newEngine(t, engine.Options{Resolver: dns("v=spf1 ip4:127.0.0.0/8 -all", ""), Reports: intake,
		AbuseMailboxes: []string{"abuse@example.net"}, AbuseDiscard: discard})
}

// A report to the abuse mailbox is taken in, whole, and with discard set
// the message is dropped once stored.
func TestAbuseMailboxTakesReport(t *testing.T) {
	for _, discard := range []bool{false, true} {
		intake := &fakeIntake{}
		tr := transaction(t, arfMessage)
		tr.Rcpts = []string{"<Abuse@example.net>"}
		out := mustEvaluate(t, reportEngine(t, intake, discard), tr)
		if out.Facts.Report == nil || !out.Facts.Report.Stored || len(intake.got) != 1 || !strings.HasPrefix(intake.got[0], "From: user@example.net\r\n") {
			t.Fatalf("discard %v: report %+v taken %q", discard, out.Facts.Report, intake.got)
		}
		if out.Verdict.Action != txn.ActionAccept || out.Discard != discard {
			t.Errorf("discard %v: action %v discard %v", discard, out.Verdict.Action, out.Discard)
		}
	}
}

// Mail to other recipients is not read as a report; a report that could
// not be stored, or one with other recipients too, is never dropped.
func TestAbuseMailboxNeverLoses(t *testing.T) {
	intake := &fakeIntake{}
	out := mustEvaluate(t, reportEngine(t, intake, true), transaction(t, arfMessage))
	if out.Facts.Report != nil || len(intake.got) != 0 {
		t.Fatalf("not to the abuse mailbox: report %+v", out.Facts.Report)
	}
	tr := transaction(t, arfMessage)
	tr.Rcpts = []string{"abuse@example.net", "bob@example.net"}
	if out := mustEvaluate(t, reportEngine(t, intake, true), tr); out.Discard || !out.Facts.Report.Stored {
		t.Errorf("with another recipient: discard %v report %+v", out.Discard, out.Facts.Report)
	}
	tr = transaction(t, arfMessage)
	tr.Rcpts = []string{"abuse@example.net"}
	out = mustEvaluate(t, reportEngine(t, &fakeIntake{err: errors.New("database down")}, true), tr)
	if out.Discard || out.Facts.Report == nil || out.Facts.Report.Stored || !strings.Contains(out.Facts.Report.Problem, "database down") {
		t.Errorf("store down: discard %v report %+v", out.Discard, out.Facts.Report)
	}
	tr = transaction(t, plainMessage)
	tr.Rcpts = []string{"abuse@example.net"}
	if out := mustEvaluate(t, reportEngine(t, intake, true), tr); out.Discard || out.Facts.Report.Problem == "" {
		t.Errorf("not a report: discard %v report %+v", out.Discard, out.Facts.Report)
	}
}
