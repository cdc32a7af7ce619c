package bayes

import (
	"os"
	"slices"
)

// clue is one token's evidence: its probability and its distance from
// 0.5.
type clue struct {
	strength, prob float64
	hash           uint64
	spam, ham      int64
	span           span
}

// clues returns the MaxClues strongest tokens whose
// probability is at least MinStrength from 0.5 (SpamBayes' clue
// selection), given each token's packed counts in values. Tokens never
// learned are left out: their probability would be X. Ties are broken by
// hash, so that the result does not depend on the order of the features.
// Time O(n log MaxClues).
func (p Params) clues(f *Features, values []int64, nspam, nham int64) []clue {
	k := p.MaxClues
	if expTile {
		k *= 4
	}
	heap := make([]clue, 0, k) // a min-heap: the weakest kept clue on top
	for i, v := range values {
		spam, ham := unpack(v)
		if spam+ham <= int64(expMinCount) {
			continue
		}
		pr := p.tokenProb(spam, ham, nspam, nham)
		c := clue{strength: abs(pr - 0.5), prob: pr, hash: f.hashes[i], spam: spam, ham: ham, span: f.spans[i]}
		switch {
		case c.strength < p.MinStrength:
		case len(heap) < k:
			heap = append(heap, c)
			siftUp(heap, len(heap)-1)
		case weaker(heap[0], c):
			heap[0] = c
			siftDown(heap, 0)
		}
	}
	if !expTile {
		return heap
	}
	return tile(heap, p.MaxClues)
}

// tile returns the at most max strongest of cands such that no two share
// a word of the text: a word pair and the words it is made of say nearly
// the same thing, and counting them all would make a phrase count three
// times (SpamBayes' tiling of unigrams and bigrams).
func tile(cands []clue, max int) []clue {
	slices.SortFunc(cands, func(a, b clue) int {
		if weaker(a, b) {
			return 1
		}
		return -1
	})
	covered := map[int32]bool{}
	out := make([]clue, 0, max)
	for _, c := range cands {
		if len(out) == max {
			break
		}
		if c.span.first >= 0 {
			if covered[c.span.first] || covered[c.span.last] {
				continue
			}
			covered[c.span.first], covered[c.span.last] = true, true
		}
		out = append(out, c)
	}
	return out
}

var expMinCount = envInt("XM", 0)

var expTile = os.Getenv("XT") != ""


func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// weaker orders clues: a is weaker than b.
func weaker(a, b clue) bool {
	if a.strength != b.strength {
		return a.strength < b.strength
	}
	return a.hash > b.hash
}

func siftUp(h []clue, i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !weaker(h[i], h[parent]) {
			return
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
}

func siftDown(h []clue, i int) {
	for {
		small := i
		for _, c := range [2]int{2*i + 1, 2*i + 2} {
			if c < len(h) && weaker(h[c], h[small]) {
				small = c
			}
		}
		if small == i {
			return
		}
		h[i], h[small] = h[small], h[i]
		i = small
	}
}
