package decree

import "slices"

// matcher finds a set of folded phrases in folded text in one pass: an
// Aho–Corasick automaton whose transitions are a dense table over byte
// classes (every byte used by a phrase has its own class, all others share
// class 0). Matches count only on word boundaries (see bounded), so that
// "sale" does not match "wholesale" and "unsubscribe" does not match inside
// "https://example.com/unsubscribe".
type matcher struct {
	class  [256]int32
	nclass int32
	// next[state*nclass+class] is the state after reading a byte of class
	// in state; state 0 is the root. Once built, states are stored
	// premultiplied by nclass, shifted left by one, with the low bit set
	// when the state ends a phrase, so that scan needs one lookup a byte.
	next []int32
	// out[state] lists the phrases (by index into phrases) that end when
	// state is entered.
	out     [][]int32
	phrases []string
	maxLen  int // of the longest phrase
}

// newMatcher compiles phrases, which must be folded and non-empty.
func newMatcher(phrases []string) *matcher {
	m := &matcher{phrases: phrases, nclass: 1}
	for _, p := range phrases {
		m.maxLen = max(m.maxLen, len(p))
		for i := 0; i < len(p); i++ {
			if m.class[p[i]] == 0 {
				m.class[p[i]] = m.nclass
				m.nclass++
			}
		}
	}
	m.addState()
	for id, p := range phrases {
		s := int32(0)
		for i := 0; i < len(p); i++ {
			slot := s*m.nclass + int32(m.class[p[i]])
			if m.next[slot] < 0 {
				m.next[slot] = m.addState()
			}
			s = m.next[slot]
		}
		m.out[s] = append(m.out[s], int32(id))
	}
	m.link()
	for slot, t := range m.next {
		v := t * m.nclass << 1
		if len(m.out[t]) > 0 {
			v |= 1
		}
		m.next[slot] = v
	}
	return m
}

// addState appends a state without transitions and returns its number.
func (m *matcher) addState() int32 {
	for range m.nclass {
		m.next = append(m.next, -1)
	}
	m.out = append(m.out, nil)
	return int32(len(m.out) - 1)
}

// link fills the missing transitions with those of the failure state
// (breadth first, so that a failure state is complete before it is used)
// and merges each state's outputs with its failure state's.
func (m *matcher) link() {
	fail := make([]int32, len(m.out))
	var queue []int32
	for c := range m.nclass {
		if t := m.next[c]; t < 0 {
			m.next[c] = 0
		} else {
			queue = append(queue, t)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if f := fail[s]; len(m.out[f]) > 0 {
			m.out[s] = slices.Concat(m.out[s], m.out[f])
		}
		for c := range m.nclass {
			t, f := m.next[s*m.nclass+c], m.next[fail[s]*m.nclass+c]
			if t < 0 {
				m.next[s*m.nclass+c] = f
				continue
			}
			fail[t] = f
			queue = append(queue, t)
		}
	}
}

// scan calls fn for every bounded occurrence of a phrase in text, in order
// of their end offsets; start and end are byte offsets into text.
//
// Each step of the automaton waits for the table load of the step before,
// so one walk uses a fraction of the CPU: a long text is walked as two
// halves interleaved in one loop, which takes about the time of one.
// The second walk starts maxLen-1 bytes before the middle so that it sees
// every phrase ending after the middle; the first reports those ending at
// or before it.
func (m *matcher) scan(text string, fn func(id, start, end int)) {
	mid := len(text) / 2
	b := mid - m.maxLen + 1
	if b <= 0 || m.maxLen == 0 {
		m.walk(text, 0, 0, fn)
		return
	}
	next, class := m.next, &m.class
	var sa, sb int32
	var late []hit // second-half hits, reported after the first half's
	for a := 0; a < mid; a, b = a+1, b+1 {
		va := next[sa+class[text[a]]]
		vb := next[sb+class[text[b]]]
		sa, sb = va>>1, vb>>1
		if va&1 != 0 {
			m.emit(text, sa, a, fn)
		}
		if vb&1 != 0 && b >= mid {
			m.emit(text, sb, b, func(id, start, end int) { late = append(late, hit{id, start, end}) })
		}
	}
	for _, h := range late {
		fn(h.id, h.start, h.end)
	}
	m.walk(text, b, sb, fn)
}

// hit is one bounded occurrence found by scan.
type hit struct{ id, start, end int }

// walk runs the automaton from state s over text[i:].
func (m *matcher) walk(text string, i int, s int32, fn func(id, start, end int)) {
	next, class := m.next, &m.class
	for ; i < len(text); i++ {
		v := next[s+class[text[i]]]
		s = v >> 1
		if v&1 != 0 {
			m.emit(text, s, i, fn)
		}
	}
}

// emit reports the bounded phrases that end at text[i] in state s.
func (m *matcher) emit(text string, s int32, i int, fn func(id, start, end int)) {
	for _, id := range m.out[s/m.nclass] {
		p := m.phrases[id]
		if start := i + 1 - len(p); bounded(text, start, i+1, p) {
			fn(int(id), start, i+1)
		}
	}
}

// bounded reports whether p found at text[start:end] stands on word
// boundaries at its alphanumeric ends. Letters, digits and
// "/=@%#~+_\" glue words together (URLs, addresses); ".-?&:'" glue only
// when a letter or digit follows on the far side ("unsubscribe." ends a
// sentence, "unsubscribe.html" is a file name).
func bounded(text string, start, end int, p string) bool {
	if isWordByte(p[0]) && start > 0 {
		b := text[start-1]
		if isWordByte(b) || isGlue(b) || (isSoftGlue(b) && start > 1 && isWordByte(text[start-2])) {
			return false
		}
	}
	if isWordByte(p[len(p)-1]) && end < len(text) {
		b := text[end]
		if isWordByte(b) || isGlue(b) || (isSoftGlue(b) && end+1 < len(text) && isWordByte(text[end+1])) {
			return false
		}
	}
	return true
}

// isWordByte reports letters and digits of folded text; bytes of non-ASCII
// characters count as letters.
func isWordByte(b byte) bool {
	return 'a' <= b && b <= 'z' || '0' <= b && b <= '9' || 'A' <= b && b <= 'Z' || b >= 0x80
}

func isGlue(b byte) bool {
	switch b {
	case '/', '=', '@', '%', '#', '~', '+', '_', '\\':
		return true
	}
	return false
}

func isSoftGlue(b byte) bool {
	switch b {
	case '.', '-', '?', '&', ':', '\'':
		return true
	}
	return false
}

// phraseSet is a matcher over configured phrases: folded, deduplicated
// (the first spelling wins), each remembering the spelling it was given.
type phraseSet struct {
	m     *matcher
	keys  []string // folded, by phrase id
	names []string // as configured, by phrase id
}

// newPhraseSet folds and compiles phrases.
func newPhraseSet(phrases []string) *phraseSet {
	keys, names := foldPhrases(phrases)
	return &phraseSet{m: newMatcher(keys), keys: keys, names: names}
}

// foldPhrases returns the folded, deduplicated phrases and, for each, the
// first spelling given.
func foldPhrases(phrases []string) (keys, names []string) {
	seen := map[string]bool{}
	for _, p := range phrases {
		k := foldString(p)
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		keys = append(keys, k)
		names = append(names, p)
	}
	return keys, names
}

// found returns, per phrase id, whether it occurs in the folded text.
func (ps *phraseSet) found(text string) []bool {
	hit := make([]bool, len(ps.names))
	ps.m.scan(text, func(id, _, _ int) { hit[id] = true })
	return hit
}
