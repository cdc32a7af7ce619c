package bayeseval

import (
	"context"
	"strings"
	"testing"

	"milter91/internal/bayes"
)

func samples(t *testing.T) []Sample {
	t.Helper()
	var out []Sample
	for i := range 10 {
		for _, spam := range []bool{true, false} {
			text := "meeting notes lunch agenda"
			if spam {
				text = "cheap pills offer winner"
			}
			raw := "Subject: s\r\n\r\n" + text + " " + strings.Repeat("x", i+3) + "\r\n"
			f, err := bayes.Tokenizer{}.ReadMessage(context.Background(), strings.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, Sample{Source: raw, Spam: spam, Features: f})
		}
	}
	return out
}

func TestFoldsAreBalanced(t *testing.T) {
	s := samples(t)
	fold := folds(s, 5, 1)
	var spam, ham [5]int
	for i, f := range fold {
		if s[i].Spam {
			spam[f]++
		} else {
			ham[f]++
		}
	}
	for f := range 5 {
		if spam[f] != 2 || ham[f] != 2 {
			t.Errorf("fold %d: %d spam %d ham, want 2 and 2", f, spam[f], ham[f])
		}
	}
}

func TestCrossValidate(t *testing.T) {
	run, err := CrossValidate(context.Background(), samples(t), 5, 1, bayes.Options{MinLearned: 1})
	if err != nil {
		t.Fatal(err)
	}
	r := Summarize(run)
	if r.Spam != 10 || r.Ham != 10 || r.SpamAs[bayes.Spam] != 10 || r.HamAs[bayes.Ham] != 10 {
		t.Errorf("report %+v: want every message tested once and classed right", r)
	}
	if p := r.AtFalsePos[1]; p.Caught != 1 || p.FalsePos != 0 {
		t.Errorf("at 0.5 %% ham: %+v, want all spam caught, no ham", p)
	}
}

func TestAtFalsePos(t *testing.T) {
	// 4 ham scored 0.9, 0.5, 0.2, 0.1; 2 spam 0.95 and 0.6. At most 25 %
	// of the ham (one) may be flagged: the threshold lies just above the
	// second-highest ham, 0.5, and catches both spam.
	scores := []Score{{Probability: 0.9}, {Probability: 0.5}, {Probability: 0.2}, {Probability: 0.1},
		{Spam: true, Probability: 0.95}, {Spam: true, Probability: 0.6}}
	p := atFalsePos(scores, 0.25, 2, 4)
	if p.Caught != 1 || p.FalsePos != 0.25 || p.Threshold <= 0.5 || p.Threshold > 0.5000001 {
		t.Errorf("%+v, want all spam, 25 %% ham, threshold just above 0.5", p)
	}
}
