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
	spans  []span            // where each was first found in the text
	names  map[uint64]string // the token of each hash, with ExtractNames only
	// digest inputs: what stays the same on every path the message takes
	// (see digest)
	msgID, from string
	texts       []string
	parts       []decree.Part
}

// Len returns the number of distinct features.
func (f *Features) Len() int { return len(f.hashes) }

// Tokens returns the features as readable tokens, sorted; nil unless f
// came from ExtractNames. Word pairs read "a b" (adjacent) or "a _ b"
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

// Extract returns the features of one message: its header fields as
// received (folded values are unfolded here) and its body as
// decree.ReadBody read it, with heads of at least MaxTextBytes for the
// whole text to count (decree.DefaultMaxLinkBytes, as the engine reads
// them for Links, is enough). body may be nil (no body). The work is
// linear in the size of the fields and of the text read, and the result
// holds at most MaxFeatures features.
func Extract(header []mailmsg.Field, body *decree.Body) *Features {
	return extract(header, body, false)
}

// ExtractNames is Extract keeping each feature's token for Tokens, to
// show what the classifier sees; slower.
func ExtractNames(header []mailmsg.Field, body *decree.Body) *Features {
	return extract(header, body, true)
}

func extract(header []mailmsg.Field, body *decree.Body, names bool) *Features {
	e := getEmitter(names)
	defer putEmitter(e)
	h := readHeader(header)
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
	f.hashes, f.spans = slices.Clone(e.hashes), slices.Clone(e.spans)
	if names {
		f.names = e.names
		e.names = nil
	}
	return f
}

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
	spans  []span
	table  []uint64 // 0: empty slot
	names  map[uint64]string
	prev   [osbWindow - 1]uint64 // the last words' hashes, newest first, for pairs
	nprev  int
	pos    int32                 // words of the text so far
	group  span
	words  []string // the last words, for names only
}

// tableSize is a power of two, at least twice MaxFeatures: probes stay short.
const tableSize = 4 * MaxFeatures

var emitters = sync.Pool{New: func() any {
	return &emitter{hashes: make([]uint64, 0, MaxFeatures), spans: make([]span, 0, MaxFeatures), table: make([]uint64, tableSize), group: noSpan}
}}

func getEmitter(names bool) *emitter {
	e := emitters.Get().(*emitter)
	if names {
		e.names = map[uint64]string{}
	}
	return e
}

func putEmitter(e *emitter) {
	e.hashes, e.spans = e.hashes[:0], e.spans[:0]
	clear(e.table)
	e.names, e.nprev, e.pos, e.words = nil, 0, 0, e.words[:0]
	e.group = noSpan
	emitters.Put(e)
}

// full reports whether no further feature can be added.
func (e *emitter) full() bool { return len(e.hashes) >= MaxFeatures }

// span is where a text feature was first found: the positions of its
// first and last word (the same for one word); first −1 for a feature
// not from the text's words.
type span struct{ first, last int32 }

var noSpan = span{-1, -1}

// add adds the feature prefix+tok.
func (e *emitter) add(prefix, tok string) { e.addAt(prefix, tok, e.group) }

// addAt adds the feature prefix+tok found at sp.
func (e *emitter) addAt(prefix, tok string, sp span) {
	h := fnv(fnv(fnvOffset, prefix), tok)
	if e.addHash(h, sp) && e.names != nil {
		e.names[h] = prefix + tok
	}
}

// addHash adds h, found at sp, and reports whether it is new.
func (e *emitter) addHash(h uint64, sp span) bool {
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
			e.spans = append(e.spans, sp)
			return true
		}
	}
}
