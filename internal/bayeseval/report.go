package bayeseval

import (
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"milter91/internal/bayes"
)

// Report summarises scores.
type Report struct {
	Spam, Ham int // test messages of each label
	// By class: how many spam and ham messages got each verdict.
	SpamAs, HamAs map[bayes.Class]int
	// Curve gives, for each threshold, the share of spam at or above it
	// (caught) and of ham at or above it (false positives).
	Curve []Point
	// Histogram counts the spam and ham messages per probability bin
	// (bins of Edges).
	Histogram []Bin
	// AtFalsePos gives, for each of FalsePosTargets, the most spam caught
	// by a threshold that flags at most that share of the ham.
	AtFalsePos []Point
	// PerMessage is the mean Classify time; TokenizePerMessage the mean
	// time reading and tokenizing a message (the store aside, the
	// classifier's work on one message is their sum).
	PerMessage, TokenizePerMessage time.Duration
}

// Point is one threshold of the curve.
type Point struct {
	Threshold        float64
	Caught, FalsePos float64 // fractions, 0 to 1
}

// Bin is one bin of the score histogram: probabilities in [Low, High).
type Bin struct {
	Low, High float64
	Spam, Ham int
}

// Thresholds are where the curve is drawn; Edges bound the histogram's
// bins (the last bin includes 1).
var (
	Thresholds = []float64{0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999}
	Edges      = []float64{0, 0.001, 0.01, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99, 0.999, 1}
	// FalsePosTargets are the ham shares of Report.AtFalsePos.
	FalsePosTargets = []float64{0.001, 0.005, 0.01}
)

// atFalsePos returns the point of the lowest threshold that flags at most
// target of the ham: just above the ⌊target·ham⌋+1-th highest ham score.
func atFalsePos(scores []Score, target float64, nspam, nham int) Point {
	var ham []float64
	for _, s := range scores {
		if !s.Spam {
			ham = append(ham, s.Probability)
		}
	}
	slices.Sort(ham)
	slices.Reverse(ham)
	allowed := int(target * float64(nham))
	t := 0.0 // every ham may be flagged
	if allowed < len(ham) {
		t = math.Nextafter(ham[allowed], 2)
	}
	var spam, flagged int
	for _, s := range scores {
		if s.Probability >= t {
			if s.Spam {
				spam++
			} else {
				flagged++
			}
		}
	}
	return Point{Threshold: t, Caught: ratio(spam, nspam), FalsePos: ratio(flagged, nham)}
}

// Summarize builds the report of a run.
func Summarize(run Run) Report {
	r := Report{SpamAs: map[bayes.Class]int{}, HamAs: map[bayes.Class]int{}}
	for _, s := range run.Scores {
		if s.Spam {
			r.Spam++
			r.SpamAs[s.Class]++
		} else {
			r.Ham++
			r.HamAs[s.Class]++
		}
	}
	for _, t := range Thresholds {
		var spam, ham int
		for _, s := range run.Scores {
			if s.Probability >= t {
				if s.Spam {
					spam++
				} else {
					ham++
				}
			}
		}
		r.Curve = append(r.Curve, Point{Threshold: t, Caught: ratio(spam, r.Spam), FalsePos: ratio(ham, r.Ham)})
	}
	for i := 0; i+1 < len(Edges); i++ {
		b := Bin{Low: Edges[i], High: Edges[i+1]}
		for _, s := range run.Scores {
			last := i+2 == len(Edges)
			if s.Probability >= b.Low && (s.Probability < b.High || last && s.Probability <= b.High) {
				if s.Spam {
					b.Spam++
				} else {
					b.Ham++
				}
			}
		}
		r.Histogram = append(r.Histogram, b)
	}
	for _, target := range FalsePosTargets {
		r.AtFalsePos = append(r.AtFalsePos, atFalsePos(run.Scores, target, r.Spam, r.Ham))
	}
	if n := len(run.Scores); n > 0 {
		r.PerMessage = run.Classify / time.Duration(n)
		r.TokenizePerMessage = run.Tokenize / time.Duration(n)
	}
	return r
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Write prints the report as text.
func (r Report) Write(w io.Writer) {
	pct := func(n, of int) string { return fmt.Sprintf("%d (%.2f %%)", n, 100*ratio(n, of)) }
	fmt.Fprintf(w, "tested: %d spam, %d ham; per message: tokenize %v, classify %v (in-memory store)\n", r.Spam, r.Ham,
		r.TokenizePerMessage.Round(time.Microsecond), r.PerMessage.Round(time.Microsecond))
	fmt.Fprintf(w, "spam caught:  %s; unsure %s; as ham %s\n", pct(r.SpamAs[bayes.Spam], r.Spam), pct(r.SpamAs[bayes.Unsure], r.Spam), pct(r.SpamAs[bayes.Ham], r.Spam))
	fmt.Fprintf(w, "ham flagged:  %s; unsure %s; as ham %s\n", pct(r.HamAs[bayes.Spam], r.Ham), pct(r.HamAs[bayes.Unsure], r.Ham), pct(r.HamAs[bayes.Ham], r.Ham))
	if n := r.SpamAs[bayes.NoVote] + r.HamAs[bayes.NoVote]; n > 0 {
		fmt.Fprintf(w, "no vote (too few learned): %d\n", n)
	}
	fmt.Fprintln(w, "curve: threshold  spam caught  ham flagged")
	for _, p := range r.Curve {
		fmt.Fprintf(w, "       %-9g  %9.2f %%  %9.2f %%\n", p.Threshold, 100*p.Caught, 100*p.FalsePos)
	}
	for i, p := range r.AtFalsePos {
		fmt.Fprintf(w, "at most %g %% ham: %.2f %% spam caught (%.2f %% ham flagged, threshold %.6g)\n", 100*FalsePosTargets[i], 100*p.Caught, 100*p.FalsePos, p.Threshold)
	}
	fmt.Fprintln(w, "scores: probability     spam    ham")
	for _, b := range r.Histogram {
		hi := ")"
		if b.High == 1 {
			hi = "]"
		}
		fmt.Fprintf(w, "        [%-5g, %-5g%s  %5d  %5d\n", b.Low, b.High, hi, b.Spam, b.Ham)
	}
}

// Worst returns the n spam with the lowest and the n ham with the highest
// probabilities, for looking at the mistakes.
func Worst(run Run, n int) (spam, ham []Score) {
	for _, s := range run.Scores {
		if s.Spam {
			spam = append(spam, s)
		} else {
			ham = append(ham, s)
		}
	}
	slices.SortFunc(spam, func(a, b Score) int { return cmpFloat(a.Probability, b.Probability) })
	slices.SortFunc(ham, func(a, b Score) int { return cmpFloat(b.Probability, a.Probability) })
	return spam[:min(n, len(spam))], ham[:min(n, len(ham))]
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
