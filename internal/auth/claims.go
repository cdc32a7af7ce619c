package auth

import (
	"strings"

	"github.com/emersion/go-msgauth/authres"
)

// ClaimsAuthservID reports whether an Authentication-Results field value
// (raw, as received: leading space, folding, comments allowed) names
// authservID as its authserv-id, so that the milter removes it before adding
// its own (RFC 8601 §5). The comparison is case-insensitive and ignores one
// trailing dot; an authres-version ("1") after the id is allowed (§2.2).
// An empty authservID claims nothing.
//
// authres.Parse reads the simple form ("mx.example.net; ..." or
// "mx.example.net 1; ..."); anything it rejects or cannot read (comments,
// quoted ids, malformed results) goes through a CFWS-aware parse of the
// first token (RFC 5322 §3.2.2, value per RFC 2045 §5.1). A value the id
// cannot be read from claims nothing.
func ClaimsAuthservID(value, authservID string) bool {
	want := strings.TrimSuffix(strings.TrimSpace(authservID), ".")
	if want == "" {
		return false
	}
	id, ok := authservIDOf(value)
	return ok && strings.EqualFold(strings.TrimSuffix(id, "."), want)
}

// authservIDOf returns the authserv-id of a field value.
func authservIDOf(value string) (string, bool) {
	head, _, _ := strings.Cut(value, ";")
	if plainHead(head) {
		if id, _, err := authres.Parse(value); err == nil && isToken(id) {
			return id, true
		}
	}
	return parseAuthservID(value)
}

// plainHead reports whether the text before the first ";" holds only
// printable ASCII without comment or quote characters, and SP, HTAB, CR, LF:
// the form where authres.Parse and parseAuthservID read the same id
// (authres.Parse also splits at Unicode spaces, which are not CFWS).
func plainHead(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			continue
		}
		if c <= ' ' || c >= 0x7f || c == '(' || c == ')' || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// parseAuthservID reads [CFWS] value [CFWS [version [CFWS]]] followed by
// ";" or the end of the value.
func parseAuthservID(s string) (string, bool) {
	i, ok := skipCFWS(s, 0)
	if !ok || i == len(s) {
		return "", false
	}
	var id string
	if s[i] == '"' {
		id, i, ok = quotedString(s, i)
	} else {
		j := i
		for j < len(s) && isTokenChar(s[j]) {
			j++
		}
		id, i, ok = s[i:j], j, j > i
	}
	if !ok {
		return "", false
	}
	if i, ok = skipCFWS(s, i); !ok {
		return "", false
	}
	if j := skipDigits(s, i); j > i {
		if i, ok = skipCFWS(s, j); !ok {
			return "", false
		}
	}
	return id, i == len(s) || s[i] == ';'
}

// skipCFWS skips white space, line breaks and nested comments with
// quoted-pairs from s[i:]; ok is false for an unterminated comment.
func skipCFWS(s string, i int) (int, bool) {
	depth := 0
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && depth > 0:
			i++
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case depth > 0, c == ' ', c == '\t', c == '\r', c == '\n':
		default:
			return i, true
		}
	}
	return i, depth == 0
}

// quotedString reads the quoted-string at s[i] and returns its content.
func quotedString(s string, i int) (string, int, bool) {
	var b strings.Builder
	for i++; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return b.String(), i + 1, true
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '\r', '\n':
		default:
			b.WriteByte(c)
		}
	}
	return "", i, false
}

func skipDigits(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// isTokenChar reports whether c is a MIME token character (RFC 2045 §5.1):
// printable US-ASCII except SP and the tspecials.
func isTokenChar(c byte) bool {
	return c > ' ' && c < 0x7f && !strings.ContainsRune(`()<>@,;:\"/[]?=`, rune(c))
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return true
}
