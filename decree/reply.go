package decree

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"milter91/internal/mailmsg"
)

// replyWords are the reply and forward Subject prefixes, lower case,
// without the colon: English and the common mail-client translations
// (German AW/WG, Nordic SV, French TR) and Vietnamese, with and without
// diacritics. Longer words come before their prefixes ("tra loi" before
// "tr").
var replyWords = []string{
	"trả lời", "tra loi", "chuyển tiếp", "chuyen tiep",
	"fwd", "fw", "re", "aw", "wg", "sv", "tr",
}

// stripReplyPrefixes removes the leading reply/forward prefixes of a
// decoded Subject, repeated and in any case: a prefix word, optionally a
// bracketed counter ("Re[2]:", "Re(3):"), optional spaces, a colon
// (ASCII or full-width), then spaces ("Re: Fwd: RE[2]: x" → "x"). found
// reports whether any prefix was removed.
func stripReplyPrefixes(subj string) (rest string, found bool) {
	rest = subj
	for {
		next, ok := cutReplyPrefix(rest)
		if !ok {
			return rest, found
		}
		rest, found = next, true
	}
}

// cutReplyPrefix removes one reply/forward prefix and the spaces after it.
func cutReplyPrefix(s string) (string, bool) {
	for _, w := range replyWords {
		rest, ok := cutFold(s, w)
		if !ok {
			continue
		}
		rest = cutCounter(strings.TrimLeft(rest, " \t"))
		rest = strings.TrimLeft(rest, " \t")
		for _, colon := range []string{":", "："} {
			if after, ok := strings.CutPrefix(rest, colon); ok {
				return strings.TrimLeftFunc(after, unicode.IsSpace), true
			}
		}
	}
	return s, false
}

// cutFold removes prefix (lower case) from the start of s, ignoring case.
func cutFold(s, prefix string) (string, bool) {
	for _, p := range prefix {
		r, n := utf8.DecodeRuneInString(s)
		if n == 0 || unicode.ToLower(r) != p {
			return s, false
		}
		s = s[n:]
	}
	return s, true
}

// cutCounter removes a reply counter "[digits]" or "(digits)" at the start
// of s; s is returned unchanged when there is none.
func cutCounter(s string) string {
	if s == "" || (s[0] != '[' && s[0] != '(') {
		return s
	}
	closer := byte(']')
	if s[0] == '(' {
		closer = ')'
	}
	i := 1
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 1 || i == len(s) || s[i] != closer {
		return s
	}
	return s[i+1:]
}

// isReply reports whether a message is a reply or a forward: its decoded
// Subject starts with a reply/forward prefix, or it has a non-blank
// In-Reply-To field (RFC 5322 §3.6.4).
func isReply(v *mailmsg.View, subj string) bool {
	if _, ok := stripReplyPrefixes(subj); ok {
		return true
	}
	return v.Present("In-Reply-To")
}
