package main

import (
	"context"
	"fmt"
	"io"

	"milter91/internal/bayes"
	"milter91/internal/bayeseval"
)

// benchClassify measures the content classifier: trained on --train and
// tested on --test, or by k-fold cross-validation within --train.
func benchClassify(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := benchFlags("classify", stderr)
	train := fs.String("train", "", "training mail: DIR with spam/ and ham/ (directories of files, maildirs or mbox files)")
	test := fs.String("test", "", "test mail, laid out as --train (none: cross-validate within --train)")
	folds := fs.Int("folds", 5, "folds of the cross-validation")
	seed := fs.Uint64("seed", 1, "seed of the fold split")
	worst := fs.Int("worst", 0, "list the N spam and ham scored most wrongly")
	var tk bayes.Tokenizer
	fs.IntVar(&tk.Window, "window", 1, "OSB window of the text's word pairs (1: no pairs)")
	var opt bayes.Options
	fs.Float64Var(&opt.HamCutoff, "ham-cutoff", bayes.DefaultHamCutoff, "probability at or below which a message is ham")
	fs.Float64Var(&opt.SpamCutoff, "spam-cutoff", bayes.DefaultSpamCutoff, "probability at or above which a message is spam")
	fs.Int64Var(&opt.MinLearned, "min-learned", bayes.DefaultMinLearned, "messages of each class learned before the classifier votes")
	fs.Float64Var(&opt.Params.S, "s", bayes.DefaultParams.S, "Robinson's s: the weight of the assumed probability")
	fs.Float64Var(&opt.Params.X, "x", bayes.DefaultParams.X, "Robinson's x: the assumed probability of an unknown token")
	fs.Float64Var(&opt.Params.MinStrength, "min-strength", bayes.DefaultParams.MinStrength, "tokens within this of 0.5 are ignored")
	fs.IntVar(&opt.Params.MaxClues, "max-clues", bayes.DefaultParams.MaxClues, "strongest tokens combined")
	if !parseBench(fs, args, stderr, map[string]*string{"train": train}) {
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "milter91 bench classify: %v\n", err)
		return 1
	}
	trainSet, err := loadSamples(ctx, *train, tk, stderr)
	if err != nil {
		return fail(err)
	}
	var run bayeseval.Run
	if *test == "" {
		fmt.Fprintf(stdout, "%d-fold cross-validation on %s (seed %d)\n", *folds, *train, *seed)
		run, err = bayeseval.CrossValidate(ctx, trainSet, *folds, *seed, opt)
	} else {
		var testSet []bayeseval.Sample
		if testSet, err = loadSamples(ctx, *test, tk, stderr); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "trained on %s, tested on %s\n", *train, *test)
		run, err = bayeseval.TrainTest(ctx, trainSet, testSet, opt)
	}
	if err != nil {
		return fail(err)
	}
	bayeseval.Summarize(run).Write(stdout)
	spam, ham := bayeseval.Worst(run, *worst)
	for _, s := range append(spam, ham...) {
		fmt.Fprintf(stdout, "worst: %.6f %s\n", s.Probability, s.Source)
	}
	return 0
}

// loadSamples loads dir, reporting the messages it skipped to stderr.
func loadSamples(ctx context.Context, dir string, tk bayes.Tokenizer, stderr io.Writer) ([]bayeseval.Sample, error) {
	samples, skipped, err := bayeseval.Load(ctx, dir, tk)
	for _, e := range skipped {
		fmt.Fprintf(stderr, "milter91 bench classify: skipped %v\n", e)
	}
	if err == nil && len(samples) == 0 {
		err = fmt.Errorf("no messages in %s", dir)
	}
	return samples, err
}
