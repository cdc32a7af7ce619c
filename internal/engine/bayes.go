package engine

import (
	"context"

	"milter91/internal/bayes"
	"milter91/internal/content"
	"milter91/internal/txn"
)

// findContent finds the content signals of the message: Facts.Content.
func (e *Engine) findContent(_ context.Context, m *message) error {
	m.f.Content = content.Find(m.msg, m.body())
	return nil
}

// classify asks the content classifier for its verdict on the message:
// Facts.Bayes. With BayesPerRecipient, a message with one recipient is
// judged by that recipient's counts once they suffice (else the site's).
// A store failure is the fact temperror and a log line: the message is
// judged without the classifier, never answered with the fail mode for it.
func (e *Engine) classify(ctx context.Context, m *message) error {
	f := bayes.Extract(m.msg, m.body())
	m.features = f
	scopes := []bayes.Scope{bayes.Site}
	if e.opt.BayesPerRecipient && len(m.t.Rcpts) == 1 {
		scopes = []bayes.Scope{bayes.Recipient(m.t.Rcpts[0]), bayes.Site}
	}
	res, err := e.opt.Bayes.Classify(ctx, f, scopes...)
	if err != nil {
		m.f.Bayes = txn.Bayes{Result: txn.BayesTemperror, Probability: 0.5}
		if ctx.Err() == nil {
			e.opt.Logger.Warn("bayes: store failed, message judged without the classifier", "queue_id", m.t.QueueID, "error", err.Error())
		}
		return nil
	}
	result := res.Class.String()
	if res.Class == bayes.NoVote {
		result = txn.BayesNone
	}
	m.f.Bayes = txn.Bayes{Result: result, Probability: res.Probability, Scope: res.Scope.String()}
	return nil
}
