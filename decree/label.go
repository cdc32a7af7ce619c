package decree

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// maxLabelRunes bounds the text between a label's brackets.
const maxLabelRunes = 8

// Bracket pairs recognised around a non-standard or legacy label, after
// full-width ASCII has been narrowed (［ → [, （ → (). Any opener may close
// with any closer: "[QC)" is as non-standard as "(QC)".
const (
	openers = "[({<【〔〖「『«〈《"
	closers = "])}>】〕〗」』»〉》"
)

// subject returns the Subject of v (the first one, unfolded, trimmed and
// decoded per RFC 2047 word by word: an undecodable encoded word stays as
// it is written, the others are still decoded) NFC-normalised
// (windows-1258 text arrives with combining tone marks) and with leading
// whitespace trimmed; "" when there is none.
func subject(v *mailmsg.View) string {
	s := norm.NFC.String(strings.ToValidUTF8(v.Subject, "\uFFFD"))
	return strings.TrimLeftFunc(s, unicode.IsSpace)
}

// labeler classifies a Subject per Decree 91/2020 Art. 18.
type labeler struct {
	labels []string        // compliant, exact
	cores  map[string]bool // upper-case inner text of bracketed compliant labels ("QC")
	legacy map[string]bool // upper-case inner text of legacy labels ("ADV")
}

func newLabeler(labels, legacy []string) (*labeler, error) {
	l := &labeler{labels: labels, cores: map[string]bool{}, legacy: map[string]bool{}}
	for _, lb := range labels {
		if _, core, ok := bracketToken(lb); ok && len(core) > 0 {
			l.cores[core] = true
		}
	}
	for _, lb := range legacy {
		_, core, ok := bracketToken(lb)
		if !ok || len(core) == 0 {
			return nil, fmt.Errorf("decree: legacy label %q is not a bracketed word like [ADV]", lb)
		}
		l.legacy[core] = true
	}
	return l, nil
}

// classify returns the Label value and the label as written, for the
// Subject without its reply/forward prefixes ("Re: [QC] x" is read as
// "[QC] x", see stripReplyPrefixes):
//   - ok: the Subject starts with a compliant label, exactly;
//   - legacy: it starts with a legacy label ([ADV], any case or bracket);
//   - nonstandard: it starts with a compliant label in another case, with
//     other or full-width brackets, or with spaces inside ("[qc]", "【QC】",
//     "(AD)", "[ QC ]");
//   - misplaced: a compliant label appears, exactly, later in the Subject;
//   - legacy: a legacy label appears later;
//   - missing: none of these.
//
// Non-standard spellings count only at the start, where a sender meant a
// label; later they are too often ordinary text ("Windows (AD) migration").
func (l *labeler) classify(subj string) (label, text string) {
	subj, _ = stripReplyPrefixes(subj)
	for _, lb := range l.labels {
		if strings.HasPrefix(subj, lb) {
			return txn.LabelOK, lb
		}
	}
	if tok, core, ok := bracketToken(subj); ok {
		switch {
		case l.legacy[core]:
			return txn.LabelLegacy, tok
		case l.cores[core]:
			return txn.LabelNonstandard, tok
		}
	}
	first := -1
	for _, lb := range l.labels {
		if i := strings.Index(subj, lb); i > 0 && (first < 0 || i < first) {
			first, text = i, lb
		}
	}
	if first > 0 {
		return txn.LabelMisplaced, text
	}
	for i, r := range subj {
		if i > 0 && strings.ContainsRune(openers, narrow(r)) {
			if tok, core, ok := bracketToken(subj[i:]); ok && l.legacy[core] {
				return txn.LabelLegacy, tok
			}
		}
	}
	return txn.LabelMissing, ""
}

// bracketToken reads a bracketed word at the start of s: an opener, at most
// maxLabelRunes runes without brackets, a closer. It returns the token as
// written and its core: the inner text narrowed, without spaces,
// upper-case ("【 qc 】" → "QC").
func bracketToken(s string) (tok, core string, ok bool) {
	r, size := utf8.DecodeRuneInString(s)
	if !strings.ContainsRune(openers, narrow(r)) {
		return "", "", false
	}
	var b strings.Builder
	for i, n := size, 0; i < len(s) && n <= maxLabelRunes; n++ {
		r, size := utf8.DecodeRuneInString(s[i:])
		c := narrow(r)
		switch {
		case strings.ContainsRune(closers, c):
			return s[:i+size], b.String(), true
		case strings.ContainsRune(openers, c):
			return "", "", false
		case !unicode.IsSpace(c):
			b.WriteRune(unicode.ToUpper(c))
		}
		i += size
	}
	return "", "", false
}

// narrow maps full-width ASCII (U+FF01–U+FF5E) and the ideographic space
// to ASCII.
func narrow(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFEE0
	case r == 0x3000:
		return ' '
	}
	return r
}
