package decree

import (
	"bufio"
	"bytes"
	"io"
	"strings"

	"github.com/emersion/go-message/charset"
	htmlcharset "golang.org/x/net/html/charset"
)

// decodeBody returns a reader of the decoded text of a leaf part: the
// Content-Transfer-Encoding undone (RFC 2045 §6: quoted-printable, base64;
// 7bit, 8bit, binary and unknown encodings are read as they are) and the
// charset converted to UTF-8 (every charset go-message/charset knows;
// utf-8, us-ascii, a missing and an unknown charset are read as they are).
// An HTML part without a charset parameter takes the one its <meta>
// declares (HTML Living Standard §13.2.3.2, prescan), as browsers and mail
// clients do.
func decodeBody(body io.Reader, cte, cs string, isHTML bool) io.Reader {
	var r io.Reader
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "quoted-printable":
		r = newQPReader(body)
	case "base64":
		r = newB64Reader(body)
	default:
		r = body
	}
	cs = strings.ToLower(strings.TrimSpace(cs))
	if isHTML && cs == "" {
		r, cs = metaCharset(r)
	}
	switch cs {
	case "", "utf-8", "utf8", "us-ascii":
		return r
	}
	if cr, err := charset.Reader(cs, r); err == nil {
		return cr
	}
	return r
}

// metaPrescan is how much of an HTML part is searched for a <meta>
// charset: the HTML standard's prescan reads the first 1024 bytes.
const metaPrescan = 1024

// metaCharset returns r (unchanged in content) and the charset a <meta>
// in its first 1024 bytes declares, "" when none does. The prescan is
// golang.org/x/net/html/charset's; its guesses without a <meta> (UTF-8
// validity, the windows-1252 default) are not taken.
func metaCharset(r io.Reader) (io.Reader, string) {
	br := bufio.NewReaderSize(r, metaPrescan)
	head, _ := br.Peek(metaPrescan)
	if !bytes.Contains(bytes.ToLower(head), []byte("charset")) {
		return br, ""
	}
	_, name, certain := htmlcharset.DetermineEncoding(head, "text/html")
	if certain || name == "utf-8" {
		return br, "" // a BOM: the bytes say UTF-8 or UTF-16 themselves
	}
	return br, name
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
