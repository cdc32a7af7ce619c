package decree

import (
	"encoding/base64"
	"io"
	"strings"

	"github.com/emersion/go-message/charset"
)

// decodeBody returns a reader of the decoded text of a leaf part: the
// Content-Transfer-Encoding undone (RFC 2045 §6: quoted-printable, base64;
// 7bit, 8bit, binary and unknown encodings are read as they are) and the
// charset converted to UTF-8 (every charset go-message/charset knows;
// utf-8, us-ascii, a missing and an unknown charset are read as they are).
func decodeBody(body io.Reader, cte, cs string) io.Reader {
	var r io.Reader
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "quoted-printable":
		r = newQPReader(body)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, spaceDropper{r: body})
	default:
		r = body
	}
	switch cs = strings.ToLower(strings.TrimSpace(cs)); cs {
	case "", "utf-8", "utf8", "us-ascii":
		return r
	}
	if cr, err := charset.Reader(cs, r); err == nil {
		return cr
	}
	return r
}

// spaceDropper turns spaces and tabs into line feeds, which the base64
// decoder skips, so that indented base64 bodies still decode (as
// go-message does).
type spaceDropper struct{ r io.Reader }

func (s spaceDropper) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	for i, c := range p[:n] {
		if c == ' ' || c == '\t' {
			p[i] = '\n'
		}
	}
	return n, err
}

// qpReader decodes quoted-printable (RFC 2045 §6.7) leniently and fast:
// "=XX" with two hex digits is the byte XX, "=" followed by optional
// white space and the line end (or the end of the input) is a soft line
// break, any other "=" is kept as it is. It decodes its whole input buffer
// in one tight loop, lines and all, and reads more only when an "=" needs
// bytes it does not have yet.
type qpReader struct {
	r      io.Reader
	buf    []byte // buf[lo:hi] is read and not yet decoded
	lo, hi int
	err    error // read error after buf[hi]
}

// qpBufSize is the input buffer of a qpReader: an "=" followed by more
// white space than this is kept as it is.
const qpBufSize = 4096

func newQPReader(r io.Reader) *qpReader {
	return &qpReader{r: r, buf: make([]byte, qpBufSize)}
}

func (q *qpReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for empty := 0; empty < 100; { // a reader that never progresses must not hang the check
		if n := q.decode(p); n > 0 {
			return n, nil
		}
		if q.err != nil && q.lo == q.hi {
			return 0, q.err
		}
		if q.fill() == 0 {
			empty++
		}
	}
	return 0, io.ErrNoProgress
}

// fill moves the undecoded input to the front of buf, reads more and
// returns the number of bytes read.
func (q *qpReader) fill() int {
	if q.err != nil {
		return 0
	}
	q.hi = copy(q.buf, q.buf[q.lo:q.hi])
	q.lo = 0
	n, err := q.r.Read(q.buf[q.hi:])
	q.hi += n
	q.err = err
	return n
}

// decode decodes buf[lo:hi] into p until either runs out, or an "=" needs
// more input, and returns the number of bytes written.
func (q *qpReader) decode(p []byte) int {
	in := q.buf[q.lo:q.hi]
	i, n := 0, 0
	for i < len(in) && n < len(p) {
		c := in[i]
		if c != '=' {
			p[n] = c
			n++
			i++
			continue
		}
		if i+2 < len(in) && hexVal[in[i+1]]|hexVal[in[i+2]] < 16 { // the usual "=XX", inline
			p[n] = hexVal[in[i+1]]<<4 | hexVal[in[i+2]]
			n, i = n+1, i+3
			continue
		}
		skip, b, write, ok := qpEscape(in[i+1:], q.err != nil)
		if !ok {
			if q.lo+i > 0 || q.hi < len(q.buf) {
				break // read more first
			}
			skip, b, write = 0, '=', true // the sequence fills the buffer: keep the "="
		}
		if write {
			p[n] = b
			n++
		}
		i += 1 + skip
	}
	q.lo += i
	return n
}

// qpEscape decodes what follows an "=" that is not a hex pair (decode
// handles those) and returns how many bytes of rest it takes and the byte
// to write, if any: a soft line break (the white space and line end,
// nothing written) or a stray "=" (0, '='). It reports !ok when rest is
// too short to tell and more input may follow (eof false).
func qpEscape(rest []byte, eof bool) (skip int, b byte, write, ok bool) {
	j := 0
	for j < len(rest) && (rest[j] == ' ' || rest[j] == '\t') {
		j++
	}
	switch {
	case j == len(rest) || (rest[j] == '\r' && j+1 == len(rest)) || (len(rest) < 2 && isHex(rest[0])):
		if !eof {
			return 0, 0, false, false
		}
		if j == len(rest) || rest[j] == '\r' {
			return len(rest), 0, false, true // soft break at the end of the input
		}
	case rest[j] == '\r' && rest[j+1] == '\n':
		return j + 2, 0, false, true
	case rest[j] == '\r' || rest[j] == '\n':
		return j + 1, 0, false, true
	}
	return 0, '=', true, true
}

// hexVal maps the hex digits 0-9, a-f, A-F to their value and every
// other byte to 0xFF.
var hexVal = func() (t [256]byte) {
	for c := range t {
		switch {
		case '0' <= c && c <= '9':
			t[c] = byte(c - '0')
		case 'a' <= c && c <= 'f':
			t[c] = byte(c - 'a' + 10)
		case 'A' <= c && c <= 'F':
			t[c] = byte(c - 'A' + 10)
		default:
			t[c] = 0xFF
		}
	}
	return t
}()

func isHex(c byte) bool { return hexVal[c] < 16 }

// unhex returns the value of the hex digit c (see isHex).
func unhex(c byte) byte { return hexVal[c] }
