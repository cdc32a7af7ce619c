package bayes

import (
	"slices"
	"sync"

	"milter91/decree"
	"milter91/internal/mailmsg"
)

// Bounds of the work done on one message.
const (
	// MaxTextBytes is the decoded text read per message, all text parts
	// together, in message order: spam says what it sells early, and the
	// tokens of the first 64 KiB decide as well as those of a whole
	// newsletter.
	MaxTextBytes = 64 << 10
	// MaxFeatures bounds the distinct features of one message, and so the
	// keys read from the store to classify it and written to learn it.
	// Header and structure features come first; the text's fill the rest.
	MaxFeatures = 2048
)

// Features are the distinct features of one message (tokens, hashed), as
// Extract found them: what Classify looks up and Learn counts.
type Features struct {
	hashes []uint64          // distinct, in the order found
	names  map[uint64]string // the token of each hash, with Tokenizer.Names only
	// digest inputs: what stays the same on every path the message takes
	// (see digest)
	msgID, from string
	texts       []string
	parts       []decree.Part
}

// Len returns the number of distinct features.
func (f *Features) Len() int { return len(f.hashes) }

// Tokens returns the features as readable tokens, sorted; nil unless f
// came from a Tokenizer with Names. Word pairs read "a b" (adjacent) or "a _ b"
// (one word between).
func (f *Features) Tokens() []string {
	if f.names == nil {
		return nil
	}
	out := make([]string, 0, len(f.names))
	for _, h := range f.hashes {
		out = append(out, f.names[h])
	}
	slices.Sort(out)
	return out
}

// Tokenizer turns messages into Features. The zero Tokenizer is the one
// the daemon uses; learning and classifying must use the same.
type Tokenizer struct {
	// Window is the OSB window of the text's word pairs: each word is
	// paired with the Window-1 words before it. 1 (the default, for 0)
	// makes no pairs: on the development corpus pairs cost spam caught at
	// the same ham flagged (BENCHMARKS.md); the Subject always has its
	// adjacent pairs. At most MaxWindow.
	Window int
	// Names keeps each feature's token, for Features.Tokens and
	// Classifier.Explain: to show what the classifier sees; slower.
	Names bool
}

// Extract returns the features of one message: its header fields (v) and
// its body as decree.ReadBody read it, with heads of at least
// MaxTextBytes for the whole text to count (decree.DefaultMaxLinkBytes, as
// the engine reads them for Links, is enough). body may be nil (no body).
// The work is linear in the size of the fields and of the text read, and
// the result holds at most MaxFeatures features.
func (tk Tokenizer) Extract(v *mailmsg.View, body *decree.Body) *Features {
	e := getEmitter(tk.Names)
	defer putEmitter(e)
	e.window = min(max(tk.Window, 1), MaxWindow)
	h := readHeader(v)
	f := &Features{msgID: h.messageID, from: h.fromAddr}
	e.headerFeatures(&h)
	if body != nil {
		f.parts = body.Parts()
		e.structureFeatures(f.parts)
		budget := MaxTextBytes
		for _, t := range body.Texts() {
			if budget <= 0 {
				break
			}
			text := t.Text[:cutUTF8(t.Text, budget)]
			budget -= len(text)
			f.texts = append(f.texts, text)
			e.text(text)
		}
	}
	f.hashes = slices.Clone(e.hashes)
	if tk.Names {
		f.names = e.names
		e.names = nil
	}
	return f
}

// Extract is Tokenizer{}.Extract.
func Extract(v *mailmsg.View, body *decree.Body) *Features { return Tokenizer{}.Extract(v, body) }

// cutUTF8 returns the largest n ≤ max such that s[:n] does not end inside
// a UTF-8 sequence.
func cutUTF8(s string, max int) int {
	if len(s) <= max {
		return len(s)
	}
	n := max
	for n > 0 && n > max-4 && s[n]&0xC0 == 0x80 {
		n--
	}
	return n
}

// FNV-1a, 64 bits (the feature hash: stable across processes and
// versions, since the counts in the store are keyed by it).
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnv(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// emitter collects the distinct features of one message in an
// open-addressing hash set: a map costs five times as much per token, and
// a message has thousands.
type emitter struct {
	hashes []uint64
	table  []uint64 // 0: empty slot
	names  map[uint64]string
	window int                   // the OSB window, 1 to MaxWindow
	prev   [MaxWindow - 1]uint64 // the last words' hashes, newest first, for pairs
	nprev  int
	words  []string // the words so far, for names only
}

// tableSize is a power of two, at least twice MaxFeatures: probes stay short.
const tableSize = 4 * MaxFeatures

var emitters = sync.Pool{New: func() any {
	return &emitter{hashes: make([]uint64, 0, MaxFeatures), table: make([]uint64, tableSize)}
}}

func getEmitter(names bool) *emitter {
	e := emitters.Get().(*emitter)
	if names {
		e.names = map[uint64]string{}
	}
	return e
}

func putEmitter(e *emitter) {
	e.hashes = e.hashes[:0]
	clear(e.table)
	e.names, e.nprev, e.words = nil, 0, e.words[:0]
	emitters.Put(e)
}

// full reports whether no further feature can be added.
func (e *emitter) full() bool { return len(e.hashes) >= MaxFeatures }

// add adds the feature prefix+tok.
func (e *emitter) add(prefix, tok string) {
	h := fnv(fnv(fnvOffset, prefix), tok)
	if e.addHash(h) && e.names != nil {
		e.names[h] = prefix + tok
	}
}

// addHash adds h and reports whether it is new.
func (e *emitter) addHash(h uint64) bool {
	if h == 0 {
		h = 1
	}
	for i := h & (tableSize - 1); ; i = (i + 1) & (tableSize - 1) {
		switch e.table[i] {
		case h:
			return false
		case 0:
			if e.full() {
				return false
			}
			e.table[i] = h
			e.hashes = append(e.hashes, h)
			return true
		}
	}
}
