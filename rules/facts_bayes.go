package rules

import (
	"strconv"

	"milter91/internal/txn"
)

// Content classifier facts (rows of factTable: bayes, bayes_probability),
// from the statistical classifier of internal/bayes (Robinson-Fisher
// chi-square combination; Robinson, "A statistical approach to the spam
// problem", Linux Journal 107, 2003).

// compileBayesProbability reads [LOW, HIGH], two numbers from 0 to 1, and
// matches when the classifier voted (bayes is spam, ham or unsure) with a
// spam probability from LOW to HIGH, both included. Detail:
// "bayes_probability=0.9987".
func compileBayesProbability(v Value) (Matcher, error) {
	items, err := v.Items()
	if err != nil {
		return nil, err
	}
	if len(items) != 2 {
		return nil, v.Errorf("bayes_probability: want [LOW, HIGH], two numbers from 0 to 1")
	}
	var bound [2]float64
	for i, it := range items {
		f, err := it.Number()
		if err != nil {
			return nil, err
		}
		if f < 0 || f > 1 {
			return nil, it.Errorf("bayes_probability: %g is not from 0 to 1", f)
		}
		bound[i] = f
	}
	if bound[0] > bound[1] {
		return nil, v.Errorf("bayes_probability: LOW %g is above HIGH %g", bound[0], bound[1])
	}
	return func(in *Input) (Hit, bool) {
		b := in.Facts.Bayes
		switch b.Result {
		case txn.BayesSpam, txn.BayesHam, txn.BayesUnsure:
		default:
			return Hit{}, false
		}
		if b.Probability < bound[0] || b.Probability > bound[1] {
			return Hit{}, false
		}
		return Hit{Detail: "bayes_probability=" + strconv.FormatFloat(b.Probability, 'f', 4, 64)}, true
	}, nil
}
