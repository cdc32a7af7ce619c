package engine_test

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"milter91/decree/stage"
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

// fakeFeedbackIDs hands out "tok<n>:ADVERTISER:d91:milter91"; err fails.
type fakeFeedbackIDs struct {
	rcpts []string
	err   error
}

func (f *fakeFeedbackIDs) NewFeedbackID(_ context.Context, rcpt, adv string, _ time.Time) (string, error) {
	if f.err != nil {
		return "", f.err
	}
	f.rcpts = append(f.rcpts, rcpt)
	return "tok" + strconv.Itoa(len(f.rcpts)) + ":" + adv + ":d91:milter91", nil
}

func feedbackEngine(t *testing.T, fids *fakeFeedbackIDs) *engine.Engine {
	reg := newFakeRegistry()
	reg.consent["ok@example.net"] = true
	reg.consent["ok2@example.net"] = true
	st := stage.New(stage.Options{Analyzer: fakeAnalyzer{a: completeAd}, Registry: reg,
		Directions: stage.Directions{Default: txn.DirectionInbound, Authenticated: true},
		Now:        func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }})
	return newEngine(t, engine.Options{Resolver: dns("v=spf1 ip4:127.0.0.0/8 -all", ""), SkipAuthenticated: true,
		Decree: st, FeedbackIDs: fids})
}

// An outbound ad to one recipient is stamped with a Feedback-ID recorded
// for that recipient; one to several, or one that has its own, is not.
func TestFeedbackIDStamped(t *testing.T) {
	fids := &fakeFeedbackIDs{}
	out := mustEvaluate(t, feedbackEngine(t, fids), outbound(t, "ok@example.net"))
	if got := edits(out, txn.EditAdd, "Feedback-ID"); len(got) != 1 || got[0].Value != " tok1:example.com:d91:milter91" ||
		len(fids.rcpts) != 1 || fids.rcpts[0] != "ok@example.net" {
		t.Fatalf("action %v edits %+v recorded %v", out.Verdict.Action, got, fids.rcpts)
	}
	out = mustEvaluate(t, feedbackEngine(t, fids), outbound(t, "ok@example.net", "ok2@example.net"))
	if got := edits(out, txn.EditAdd, "Feedback-ID"); len(got) != 0 {
		t.Errorf("two recipients: %+v", got)
	}
	tr := outbound(t, "ok@example.net")
	tr.Headers = append(tr.Headers, txn.Header{Name: "Feedback-ID", Value: " c1:cust:news:esp"})
	if got := edits(mustEvaluate(t, feedbackEngine(t, fids), tr), txn.EditAdd, "Feedback-ID"); len(got) != 0 {
		t.Errorf("own Feedback-ID: %+v", got)
	}
	out = mustEvaluate(t, feedbackEngine(t, &fakeFeedbackIDs{err: errors.New("database down")}), outbound(t, "ok@example.net"))
	if got := edits(out, txn.EditAdd, "Feedback-ID"); len(got) != 0 || out.Verdict.Action == txn.ActionTempfail {
		t.Errorf("store down: %v %+v", out.Verdict.Action, got)
	}
}
