package decree

import (
	"bufio"
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
		r = &qpReader{r: bufio.NewReaderSize(body, 4096)}
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
// white space and the line end is a soft line break, any other "=" is
// kept as it is. Each piece ReadSlice returns is decoded on its own, in
// one tight loop.
type qpReader struct {
	r    *bufio.Reader
	line []byte // undecoded rest of the current input line
	err  error  // error after line
}

func (q *qpReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(q.line) == 0 {
			if q.err != nil {
				break
			}
			q.line, q.err = q.r.ReadSlice('\n')
			if q.err == bufio.ErrBufferFull {
				q.err = nil // a long line arrives in pieces
			}
			continue
		}
		n += q.decode(p[n:])
	}
	if n > 0 {
		return n, nil
	}
	return 0, q.err
}

// decode decodes the start of q.line into p until either runs out (or a
// soft line break ends the line) and returns the number of bytes written.
func (q *qpReader) decode(p []byte) int {
	line, i, n := q.line, 0, 0
	for i < len(line) && n < len(p) {
		c := line[i]
		i++
		if c == '=' {
			switch {
			case i+1 < len(line) && hexVal[line[i]]|hexVal[line[i+1]] < 16:
				c = hexVal[line[i]]<<4 | hexVal[line[i+1]]
				i += 2
			case softBreak(line[i:]):
				q.line = nil
				return n
			} // else a stray "=" stays
		}
		p[n] = c
		n++
	}
	q.line = line[i:]
	return n
}

// softBreak reports whether rest, what follows an "=", is white space up
// to the line end (or the end of the piece).
func softBreak(rest []byte) bool {
	i := 0
	for i < len(rest) && (rest[i] == ' ' || rest[i] == '\t') {
		i++
	}
	return i == len(rest) || rest[i] == '\r' || rest[i] == '\n'
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
