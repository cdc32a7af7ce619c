package mailmsg

import (
	"slices"
	"strings"
)

// Field is one header field exactly as received. Name is the text before
// the first colon; Value is everything after it without the final line
// end, with the leading space and the folding kept, continuation lines
// joined by CRLF; so Name + ":" + Value + CRLF rebuilds the field's bytes
// (RFC 5322 §2.2).
type Field struct {
	Name  string
	Value string
}

// Unfold returns v without its line breaks: every CR and LF is removed.
// RFC 5322 §2.2.3 unfolds by removing each CRLF before a continuation
// line's whitespace; a stray CR or LF goes too, so that an unfolded value
// never spans lines. v itself is returned when it has none. Whitespace is
// kept (callers trim what they need to). Time and memory O(len(v)).
func Unfold(v string) string {
	i := strings.IndexAny(v, "\r\n")
	if i < 0 {
		return v
	}
	out := make([]byte, i, len(v)-1)
	copy(out, v)
	for ; i < len(v); i++ {
		if c := v[i]; c != '\r' && c != '\n' {
			out = append(out, c)
		}
	}
	return string(out)
}

// ValidName reports whether name is a field name: one or more printable
// US-ASCII characters other than the colon (RFC 5322 §3.6.8 ftext).
func ValidName(name string) bool { return validName(name) }

func validName[T ~string | ~[]byte](name T) bool {
	if len(name) == 0 {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 33 || c > 126 || c == ':' {
			return false
		}
	}
	return true
}

// AppendBlock appends the header block of fields to dst: each field as
// Name ":" Value CRLF, in order, then the empty line that ends the block.
func AppendBlock(dst []byte, fields []Field) []byte {
	n := 2
	for _, f := range fields {
		n += len(f.Name) + len(f.Value) + 3
	}
	dst = slices.Grow(dst, n)
	for _, f := range fields {
		dst = append(dst, f.Name...)
		dst = append(dst, ':')
		dst = append(dst, f.Value...)
		dst = append(dst, '\r', '\n')
	}
	return append(dst, '\r', '\n')
}
