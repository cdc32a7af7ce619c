package metrics

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"milter91/internal/txn"
)

// evalFunc is a milter.Evaluator whose Evaluate is a function.
type evalFunc func(context.Context, *txn.Transaction) (*txn.Outcome, error)

func (evalFunc) Prefetch(txn.Conn)                                  {}
func (evalFunc) RejectsEarly() bool                                 { return false }
func (evalFunc) Early(context.Context, txn.Conn, string) *txn.Reply { return nil }
func (f evalFunc) Evaluate(ctx context.Context, t *txn.Transaction) (*txn.Outcome, error) {
	return f(ctx, t)
}

// The wrapped evaluator counts the message while it is evaluated and the
// rules of each outcome it returns, none of a failed evaluation.
func TestEvaluatorCounts(t *testing.T) {
	m := New()
	var during string
	ok := m.Evaluator(evalFunc(func(context.Context, *txn.Transaction) (*txn.Outcome, error) {
		during = scrape(m)
		return &txn.Outcome{Verdict: txn.Verdict{Matches: []txn.Match{{ID: "R1", Ref: "RFC 7208"}}}}, nil
	}))
	failed := m.Evaluator(evalFunc(func(context.Context, *txn.Transaction) (*txn.Outcome, error) {
		return &txn.Outcome{Verdict: txn.Verdict{Matches: []txn.Match{{ID: "R1", Ref: "RFC 7208"}}}}, errors.New("boom")
	}))
	if _, err := ok.Evaluate(context.Background(), &txn.Transaction{}); err != nil {
		t.Fatal(err)
	}
	if _, err := failed.Evaluate(context.Background(), &txn.Transaction{}); err == nil {
		t.Fatal("the wrapper hid the error")
	}
	after := scrape(m)
	if !strings.Contains(during, "\nmilter91_messages_evaluating 1\n") || !strings.Contains(after, "\nmilter91_messages_evaluating 0\n") {
		t.Error("milter91_messages_evaluating is not 1 during the evaluation and 0 after")
	}
	if want := `milter91_rule_matches_total{ref="RFC 7208",rule="R1"} 1` + "\n"; !strings.Contains(after, want) {
		t.Errorf("scrape lacks %q (the failed evaluation not counted)", want)
	}
}

// scrape returns m's metrics in the text format.
func scrape(m *Metrics) string {
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	return string(body)
}
