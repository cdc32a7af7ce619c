package bayes

import (
	"net/netip"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/publicsuffix"
	"golang.org/x/text/unicode/norm"

	"milter91/decree"
)

// Text tokens.
const (
	// MaxWindow is the largest OSB window (rspamd's OSB tokenizer uses 5).
	MaxWindow = 5
	// minWord and maxWord bound a word's folded length in bytes for a
	// token of its own (SpamBayes: 3 and 12). Shorter words still pair;
	// longer ones become a "skip:" token of their first byte and length
	// class, as in SpamBayes, and break the pairs.
	minWord = 3
	maxWord = 12
	// maxURLPieces bounds the path tokens of one URL.
	maxURLPieces = 8
)

// text adds the features of one decoded text part: its words folded
// (lower case, without diacritics: "Khuyến mãi" and "khuyen mai" are the
// same two words) and their OSB pairs, URLs as scheme, host, registrable
// domain and path pieces, email addresses as local part and domain; then
// each word with diacritics also as written (NFC, lower case), so that the
// exact spelling counts too.
func (e *emitter) text(s string) {
	e.nprev = 0
	for w := range strings.SplitSeq(decree.Fold(s), " ") {
		if e.full() {
			return
		}
		e.word(w)
	}
	if !isASCII(s) {
		e.exact(s)
	}
}

// word adds the features of one folded word.
func (e *emitter) word(w string) {
	switch {
	case strings.Contains(w, "://") || strings.HasPrefix(strings.TrimLeft(w, "<(\"'["), "www."):
		e.url(strings.Trim(w, "<>()[]\"',;"))
		e.nprev = 0
		return
	case strings.Contains(w, "@"):
		e.email(strings.Trim(w, "<>()[]\"',;:."))
		e.nprev = 0
		return
	}
	t := trimPunct(w)
	switch {
	case t == "":
		return
	case len(t) > maxWord:
		e.add("skip:", t[:1]+" "+strconv.Itoa(len(t)/10*10))
		e.nprev = 0
		return
	case len(t) >= minWord:
		e.add("", t)
	}
	e.pairs(t)
}

// pairs adds the OSB pairs of word t with the e.window-1 words before it
// (Siefkes et al., "Combining Winnow and Orthogonal Sparse Bigrams for
// Incremental Spam Filtering", PKDD 2004: each pair keeps the distance of
// its words), and remembers t. With a window of 1 there are no pairs.
func (e *emitter) pairs(t string) {
	h := fnv(fnvOffset, t)
	for d := range e.nprev {
		p := pairHash(e.prev[d], h, d)
		if e.addHash(p) && e.names != nil {
			e.names[p] = e.words[len(e.words)-1-d] + strings.Repeat(" _", d) + " " + t
		}
	}
	copy(e.prev[1:], e.prev[:len(e.prev)-1])
	e.prev[0] = h
	e.nprev = min(e.nprev+1, e.window-1)
	if e.names != nil {
		e.words = append(e.words, t)
	}
}

// pairHash combines the hashes of two words d+1 apart (a mixer of
// SplitMix64's finalizer, so that pairs do not collide with words).
func pairHash(a, b uint64, d int) uint64 {
	h := a*0x9E3779B97F4A7C15 ^ (b + uint64(d+1)*0xBF58476D1CE4E5B9)
	h ^= h >> 31
	h *= 0x94D049BB133111EB
	return h ^ h>>29
}

// trimPunct returns w without ASCII punctuation at either end.
func trimPunct(w string) string {
	return strings.TrimFunc(w, func(r rune) bool { return r < utf8.RuneSelf && unicode.IsPunct(r) || r == '$' || r == '+' })
}

// url adds the features of one URL (folded: lower case): "proto:" scheme,
// "url:" host and registrable domain ("url:ip" for an address literal),
// "urlpath:" pieces of its path and query.
func (e *emitter) url(u string) {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		scheme, rest = "www", u
	}
	e.add("proto:", scheme[:min(len(scheme), 10)])
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	host, path := rest[:end], rest[end:]
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		e.add("url:", "userinfo") // http://bank.example@evil.test/: a disguise
		host = host[i+1:]
	}
	e.host("url:", host)
	n := 0
	for piece := range strings.FieldsFuncSeq(path, isURLSep) {
		if n == maxURLPieces {
			break
		}
		n++
		switch {
		case len(piece) > 20:
			e.add("urlpath:", "long")
		case len(piece) >= 2:
			e.add("urlpath:", piece)
		}
	}
}

func isURLSep(r rune) bool { return strings.ContainsRune("/?&=.-_#+%:;,", r) }

// host adds prefix + the host name and its registrable domain, or
// prefix + "ip" for an address literal (with or without port).
func (e *emitter) host(prefix, host string) {
	host = strings.TrimSuffix(host, ".")
	if h, _, ok := strings.Cut(host, ":"); ok && !strings.HasPrefix(host, "[") {
		host = h
	}
	if _, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil || isNumeric(host) {
		e.add(prefix, "ip")
		return
	}
	if host == "" || len(host) > 253 {
		return
	}
	e.add(prefix, host)
	if d, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil && d != host {
		e.add(prefix, d)
	}
}

// isNumeric reports whether s is digits (and dots) only: a decimal or
// dotted address that browsers resolve.
func isNumeric(s string) bool {
	return s != "" && strings.Trim(s, "0123456789.") == ""
}

// email adds "email:" + the domain and "emailname:" + the local part of
// an address in the text.
func (e *emitter) email(a string) {
	at := strings.LastIndexByte(a, '@')
	local, domain := a[:at], a[at+1:]
	if local != "" && len(local) <= 64 {
		e.add("emailname:", local)
	}
	if strings.Contains(domain, ".") {
		e.host("email:", domain)
	}
}

// exact adds the words of s that hold non-ASCII letters as written: NFC,
// lower case, without surrounding punctuation.
func (e *emitter) exact(s string) {
	if !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	for w := range strings.FieldsSeq(s) {
		if e.full() {
			return
		}
		if isASCII(w) || strings.Contains(w, "@") || strings.Contains(w, "://") {
			continue
		}
		t := trimPunct(strings.ToLower(w))
		if n := utf8.RuneCountInString(t); n >= 2 && n <= maxWord {
			e.add("", t)
		}
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
