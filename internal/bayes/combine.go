package bayes

import "math"

// Params are the constants of the combination; the zero value of a field
// takes its default (DefaultParams).
type Params struct {
	// S is Robinson's strength of the background: how many messages'
	// worth of evidence the assumed probability X counts for (SpamBayes'
	// unknown_word_strength).
	S float64
	// X is the assumed spam probability of a token never seen
	// (unknown_word_prob).
	X float64
	// MinStrength drops the tokens whose probability is within it of 0.5:
	// they carry no information (minimum_prob_strength).
	MinStrength float64
	// MaxClues is the number of strongest tokens combined
	// (max_discriminators).
	MaxClues int
}

// DefaultParams are SpamBayes' defaults, which measured best here too (see
// BENCHMARKS.md).
var DefaultParams = Params{S: 0.45, X: 0.5, MinStrength: 0.1, MaxClues: 150}

func (p Params) withDefaults() Params {
	d := DefaultParams
	if p.S > 0 {
		d.S = p.S
	}
	if p.X > 0 && p.X < 1 {
		d.X = p.X
	}
	if p.MinStrength > 0 {
		d.MinStrength = p.MinStrength
	}
	if p.MaxClues > 0 {
		d.MaxClues = p.MaxClues
	}
	return d
}

// tokenProb returns a token's spam probability f(w) from the number of
// spam and ham messages it was learned in (spam, ham) and the numbers of
// spam and ham messages learned (nspam, nham): Graham's ratio of the
// class frequencies, p(w) = (spam/nspam) / (spam/nspam + ham/nham), moved
// toward X by Robinson's formula f(w) = (S·X + n·p(w)) / (S + n), n =
// spam + ham, so that a token seen once counts for little. Counts above
// the class's message count (learning raced with expiry) are cut to it.
// Robinson, "A statistical approach to the spam problem", Linux Journal
// 107 (2003); SpamBayes classifier.py (probability).
func (p Params) tokenProb(spam, ham, nspam, nham int64) float64 {
	spam, ham = min(spam, nspam), min(ham, nham)
	sr := float64(spam) / float64(nspam)
	hr := float64(ham) / float64(nham)
	pw := sr / (sr + hr)
	n := float64(spam + ham)
	return (p.S*p.X + n*pw) / (p.S + n)
}

// chiCombine returns the message's spam probability from its clues'
// token probabilities: Fisher's method on each side, Robinson's
// suggestion as SpamBayes implements it (chi2_spamprob):
//
//	S = 1 − C⁻¹(−2 Σ ln(1−f), 2n)   (near 1 when the clues say spam)
//	H = 1 − C⁻¹(−2 Σ ln f, 2n)      (near 1 when they say ham)
//	I = (1 + S − H) / 2
//
// with C⁻¹ the chi-square survival function for 2n degrees of freedom.
// I is near 1 for spam, near 0 for ham, and near 0.5 both when the clues
// are few or weak and when they are strong both ways: the unsure band.
// With no clues, I is 0.5.
func chiCombine(clues []clue) float64 {
	if len(clues) == 0 {
		return 0.5
	}
	var lnS, lnH float64
	for _, c := range clues {
		lnS += math.Log(1 - c.prob)
		lnH += math.Log(c.prob)
	}
	n := 2 * len(clues)
	s := 1 - chi2Q(-2*lnS, n)
	h := 1 - chi2Q(-2*lnH, n)
	return (1 + s - h) / 2
}

// chi2Q returns the probability that a chi-square variable with v (even)
// degrees of freedom is at least x2: e^−m Σ_{i<v/2} mⁱ/i!, m = x2/2
// (SpamBayes chi2.py, after Robinson). When e^−m would underflow the
// terms are summed in the log domain, so that many clues (a large v) are
// still right.
func chi2Q(x2 float64, v int) float64 {
	m := x2 / 2
	if m <= 0 {
		return 1
	}
	if m < 700 {
		term := math.Exp(-m)
		sum := term
		for i := 1; i < v/2; i++ {
			term *= m / float64(i)
			sum += term
		}
		return min(sum, 1)
	}
	lnm, lnTerm, sum := math.Log(m), -m, 0.0
	for i := 1; i < v/2; i++ {
		lnTerm += lnm - math.Log(float64(i))
		sum += math.Exp(lnTerm)
	}
	return min(sum, 1)
}
