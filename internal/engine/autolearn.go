package engine

import (
	"context"
	"strings"

	"milter91/internal/bayes"
	"milter91/internal/txn"
)

// Autolearn makes the classifier learn from the daemon's own verdicts
// (off unless set): a message whose score without the classifier's own
// rules (BAYES_*) is at least SpamAt is learned as spam; one at most HamAt
// with a DMARC pass (its sender is who it says) as ham, unless the
// classifier calls it spam or unsure. Leaving the classifier's rules out
// of the score keeps it from confirming itself.
type Autolearn struct {
	SpamAt, HamAt float64
}

// autolearn learns the message as Options.Autolearn says, after the
// rules, in the site's counts. It runs within the message's deadline; a
// store failure is logged, never a fault. Accepted messages only: a
// rejected one was not delivered, and a fault leaves the verdict unused.
func (e *Engine) autolearn(ctx context.Context, m *message, v txn.Verdict, err error) {
	al := e.opt.Autolearn
	if al == nil || m.features == nil || err != nil || m.f.Bayes.Result == txn.BayesTemperror || v.Action > txn.ActionQuarantine {
		return
	}
	score := v.Score
	for _, mt := range v.Matches {
		if strings.HasPrefix(mt.ID, "BAYES_") {
			score -= mt.Score
		}
	}
	var class bayes.Class
	switch {
	case score >= al.SpamAt:
		class = bayes.Spam
	case score <= al.HamAt && m.f.DMARC.Result == txn.ResultPass && m.f.Bayes.Result != txn.BayesSpam && m.f.Bayes.Result != txn.BayesUnsure:
		class = bayes.Ham
	default:
		return
	}
	if _, err := e.opt.Bayes.Learn(ctx, m.features, class, bayes.Site); err != nil && ctx.Err() == nil {
		e.opt.Logger.Warn("bayes: autolearn failed", "queue_id", m.t.QueueID, "class", class.String(), "error", err.Error())
	}
}
