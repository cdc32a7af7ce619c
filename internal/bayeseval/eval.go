// Package bayeseval measures the content classifier (internal/bayes) on
// labelled mail: training on one set and testing on another, or k-fold
// cross-validation within one set, each fold on a fresh in-memory store.
// It is the engine of `milter91 bench classify`.
package bayeseval

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"milter91/internal/bayes"
	"milter91/internal/counter"
)

// Sample is one labelled message.
type Sample struct {
	Source   string
	Spam     bool
	Features *bayes.Features
	// Tokenize is the time reading and tokenizing the message took.
	Tokenize time.Duration
}

// Score is the classifier's verdict on one test message.
type Score struct {
	Source      string
	Spam        bool // the label
	Probability float64
	Class       bayes.Class
}

// Run is the outcome of one measurement.
type Run struct {
	Scores []Score
	// Classify is the time spent in Classify, all test messages together;
	// Tokenize the time their tokenizing took.
	Classify, Tokenize time.Duration
}

// TrainTest learns train on a fresh in-memory store and classifies test.
func TrainTest(ctx context.Context, train, test []Sample, opt bayes.Options) (Run, error) {
	c, err := bayes.New(counter.NewMem(nil), opt)
	if err != nil {
		return Run{}, err
	}
	for _, s := range train {
		if _, err := c.Learn(ctx, s.Features, class(s.Spam), bayes.Site); err != nil {
			return Run{}, fmt.Errorf("learning %s: %w", s.Source, err)
		}
	}
	run := Run{Scores: make([]Score, 0, len(test))}
	for _, s := range test {
		start := time.Now()
		r, err := c.Classify(ctx, s.Features, bayes.Site)
		run.Classify += time.Since(start)
		run.Tokenize += s.Tokenize
		if err != nil {
			return Run{}, fmt.Errorf("classifying %s: %w", s.Source, err)
		}
		run.Scores = append(run.Scores, Score{Source: s.Source, Spam: s.Spam, Probability: r.Probability, Class: r.Class})
	}
	return run, nil
}

func class(spam bool) bayes.Class {
	if spam {
		return bayes.Spam
	}
	return bayes.Ham
}

// CrossValidate splits samples into k folds (each class shuffled with
// seed and dealt round-robin, so that every fold has its share of both),
// and for each fold trains on the other k−1 and tests on it. The scores
// of all folds are returned together: every sample is tested once, by a
// model that never saw it.
func CrossValidate(ctx context.Context, samples []Sample, k int, seed uint64, opt bayes.Options) (Run, error) {
	if k < 2 || k > len(samples) {
		return Run{}, errors.New("bayeseval: want 2 ≤ folds ≤ samples")
	}
	fold := folds(samples, k, seed)
	var all Run
	for f := range k {
		var train, test []Sample
		for i, s := range samples {
			if fold[i] == f {
				test = append(test, s)
			} else {
				train = append(train, s)
			}
		}
		run, err := TrainTest(ctx, train, test, opt)
		if err != nil {
			return Run{}, fmt.Errorf("fold %d: %w", f+1, err)
		}
		all.Scores = append(all.Scores, run.Scores...)
		all.Classify += run.Classify
		all.Tokenize += run.Tokenize
	}
	return all, nil
}

// folds returns the fold of each sample.
func folds(samples []Sample, k int, seed uint64) []int {
	rng := rand.New(rand.NewPCG(seed, 0x6d696c7465723931))
	fold := make([]int, len(samples))
	for _, spam := range []bool{true, false} {
		var idx []int
		for i, s := range samples {
			if s.Spam == spam {
				idx = append(idx, i)
			}
		}
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		for n, i := range idx {
			fold[i] = n % k
		}
	}
	return fold
}
