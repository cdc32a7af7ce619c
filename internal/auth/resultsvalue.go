package auth

import "strings"

// isValueChar reports whether c may appear unquoted in a pvalue as we write
// it: letters, digits and the dot-atom/addr-spec punctuation, not the MIME
// tspecials (RFC 2045 §5.1) nor "(" ")" that would start a comment.
func isValueChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	case c >= 0x80:
		return true // UTF-8 in domains and local-parts (RFC 8601 §2.2, RFC 6532)
	}
	return strings.IndexByte("!#$%&'*+-./@^_`{|}~", c) >= 0
}

// formatValue returns s as-is when every byte is a value character, else
// as a quoted-string.
func formatValue(s string) string {
	if s == "" {
		return `""`
	}
	for i := 0; i < len(s); i++ {
		if !isValueChar(s[i]) {
			return quote(s)
		}
	}
	return s
}

// quote returns s as a quoted-string (RFC 5322 §3.2.4): control characters
// are dropped, backslash and double quote escaped.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < ' ' || c == 0x7f:
			continue
		case c == '"' || c == '\\':
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	b.WriteByte('"')
	return b.String()
}

// cleanComment keeps only value characters, for text inside a comment.
func cleanComment(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x80 && !isValueChar(byte(r)) {
			return -1
		}
		return r
	}, s)
}
