package bayes

// clue is one token's evidence: its probability and its distance from
// 0.5.
type clue struct {
	strength, prob float64
	hash           uint64
	spam, ham      int64
}

// clues returns the MaxClues strongest tokens whose
// probability is at least MinStrength from 0.5 (SpamBayes' clue
// selection), given each token's packed counts in values. Tokens never
// learned are left out: their probability would be X. Ties are broken by
// hash, so that the result does not depend on the order of the features.
// Time O(n log MaxClues).
func (p Params) clues(f *Features, values []int64, nspam, nham int64) []clue {
	k := p.MaxClues
	heap := make([]clue, 0, k) // a min-heap: the weakest kept clue on top
	for i, v := range values {
		spam, ham := unpack(v)
		if spam+ham == 0 {
			continue
		}
		pr := p.tokenProb(spam, ham, nspam, nham)
		c := clue{strength: abs(pr - 0.5), prob: pr, hash: f.hashes[i], spam: spam, ham: ham}
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
	return heap
}

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
