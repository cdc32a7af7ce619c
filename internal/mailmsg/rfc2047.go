package mailmsg

import (
	"bytes"
	"encoding/base64"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
)

// DecodeHeader decodes the RFC 2047 encoded words of an unstructured
// header value (RFC 2047 §2, §4, §5(1)) one by one, so that one bad word
// cannot hide the rest as it does with mime.WordDecoder.DecodeHeader:
//   - charsets: every charset github.com/emersion/go-message/charset knows
//     (windows-1258 included); an RFC 2231 §5 language suffix is ignored;
//   - B: unpadded base64 is accepted (the padding is added);
//   - Q: an "=" not followed by two hex digits is kept as it is;
//   - whitespace between two adjacent decoded words is dropped (§6.2), and
//     adjacent words in the same charset are joined before conversion, so a
//     character split across words survives;
//   - a word that cannot be decoded (unknown charset, encoding or bad
//     base64) is kept as its raw text, as ordinary text (§6.3).
//
// Text outside encoded words is returned unchanged; decoded words are
// valid UTF-8 (invalid bytes become U+FFFD). DecodeHeader never fails.
func DecodeHeader(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	var out strings.Builder
	var run wordRun
	for len(s) > 0 {
		start := strings.Index(s, "=?")
		if start < 0 {
			break
		}
		w, n, ok := parseWord(s[start:])
		if !ok {
			// Not an encoded word: keep "=?" as text and look further.
			run.flush(&out)
			out.WriteString(s[:start+2])
			s = s[start+2:]
			continue
		}
		between := s[:start]
		if w.ok && !run.empty() && strings.Trim(between, " \t\r\n") == "" {
			between = "" // RFC 2047 §6.2
		}
		if between != "" {
			run.flush(&out)
			out.WriteString(between)
		}
		if w.ok {
			run.add(w)
		} else {
			run.flush(&out)
			out.WriteString(s[start : start+n])
		}
		s = s[start+n:]
	}
	run.flush(&out)
	out.WriteString(s)
	return out.String()
}

// encodedWord is one parsed encoded word: its charset (lower case) and
// its transfer-decoded bytes; ok is false when it could not be decoded.
type encodedWord struct {
	charset string
	raw     []byte
	ok      bool
}

// parseWord reads the encoded word "=?charset?enc?text?=" at the start of
// s and returns it with its length in bytes; ok is false when s does not
// start with an encoded word's syntax (RFC 2047 §2: no space or "?" inside
// the parts). A word with that syntax but undecodable content is returned
// with w.ok false.
func parseWord(s string) (w encodedWord, n int, ok bool) {
	parts := make([]string, 0, 3)
	rest := s[2:]
	for range 3 {
		i := strings.IndexAny(rest, "? \t\r\n")
		if i < 0 || rest[i] != '?' {
			return w, 0, false
		}
		parts, rest = append(parts, rest[:i]), rest[i+1:]
	}
	if !strings.HasPrefix(rest, "=") || parts[0] == "" || len(parts[1]) != 1 {
		return w, 0, false
	}
	n = len(s) - len(rest) + 1
	cs, _, _ := strings.Cut(strings.ToLower(parts[0]), "*")
	w.charset = cs
	switch parts[1] {
	case "B", "b":
		raw, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(parts[2], "="))
		w.raw, w.ok = raw, err == nil
	case "Q", "q":
		w.raw, w.ok = decodeQ(parts[2]), true
	}
	if w.ok {
		w.ok = knownCharset(cs)
	}
	return w, n, true
}

// decodeQ undoes the Q encoding (RFC 2047 §4.2): "_" is a space, "=XX" a
// byte; a stray "=" is kept.
func decodeQ(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '_':
			out = append(out, ' ')
		case c == '=' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return out
}

// knownCharset reports whether cs is UTF-8, US-ASCII or a charset
// go-message can convert.
func knownCharset(cs string) bool {
	if isUTF8(cs) {
		return true
	}
	_, err := charset.Reader(cs, strings.NewReader(""))
	return err == nil
}

func isUTF8(cs string) bool {
	switch cs {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return true
	}
	return false
}

// wordRun collects adjacent decoded words: text holds what is converted
// to UTF-8, pending the bytes of the last words, all in charset.
type wordRun struct {
	text    strings.Builder
	charset string
	pending []byte
	started bool
}

func (r *wordRun) empty() bool { return !r.started }

// add appends w, converting the pending bytes first when the charset
// changes.
func (r *wordRun) add(w encodedWord) {
	if r.started && r.charset != w.charset {
		r.convert()
	}
	r.started, r.charset = true, w.charset
	r.pending = append(r.pending, w.raw...)
}

// convert moves the pending bytes, converted to UTF-8, to text.
func (r *wordRun) convert() {
	var dec []byte
	if isUTF8(r.charset) {
		dec = r.pending
	} else if cr, err := charset.Reader(r.charset, bytes.NewReader(r.pending)); err == nil {
		// A conversion error keeps what was converted before it.
		dec, _ = io.ReadAll(cr)
	}
	r.text.WriteString(strings.ToValidUTF8(string(dec), string(utf8.RuneError)))
	r.pending = r.pending[:0]
}

// flush writes the run to out and empties it.
func (r *wordRun) flush(out *strings.Builder) {
	if !r.started {
		return
	}
	r.convert()
	out.WriteString(r.text.String())
	r.text.Reset()
	r.started = false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// unhex returns the value of the hex digit c (see isHex).
func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}
