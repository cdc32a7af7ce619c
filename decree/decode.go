package decree

import (
	"bufio"
	"bytes"
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
// kept as it is. Runs without "=" are copied in one move.
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
		eq := bytes.IndexByte(q.line, '=')
		if eq != 0 {
			if eq < 0 {
				eq = len(q.line)
			}
			c := copy(p[n:], q.line[:eq])
			n += c
			q.line = q.line[c:]
			continue
		}
		n += q.escape(p[n:])
	}
	if n > 0 {
		return n, nil
	}
	return 0, q.err
}

// escape decodes the "=" that starts q.line into p, which has room for a
// byte, and returns the number of bytes written.
func (q *qpReader) escape(p []byte) int {
	rest := q.line[1:]
	if len(rest) >= 2 && isHex(rest[0]) && isHex(rest[1]) {
		p[0] = unhex(rest[0])<<4 | unhex(rest[1])
		q.line = rest[2:]
		return 1
	}
	i := 0
	for i < len(rest) && (rest[i] == ' ' || rest[i] == '\t') {
		i++
	}
	if i == len(rest) || rest[i] == '\r' || rest[i] == '\n' {
		q.line = nil // soft line break
		return 0
	}
	p[0] = '='
	q.line = rest
	return 1
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}
