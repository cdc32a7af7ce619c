package mailmsg

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
)

// ReadHeader reads the header block at the start of br and returns its
// fields in order. Lines end in LF or CRLF; a line's trailing CRs are
// dropped and a field's lines are joined with CRLF, as an MTA passes a
// header on, so Value holds no bare line ends. A line starting with SP or
// HTAB continues the field before it (RFC 5322 §2.2.3).
//
// The block ends after the first empty line, at the end of the input, or at
// the first line that is neither a field (a ValidName, then a colon) nor a
// continuation: that line is the first line of the body, as Postfix's
// cleanup reads it. It is returned in body, its line end made CRLF (none
// when it had none), and br is left after it; body is nil otherwise.
//
// Time and memory are linear in the size of the header: one copy of its
// bytes backs all the fields. err is non-nil only when br fails to read.
func ReadHeader(br *bufio.Reader) (fields []Field, body []byte, err error) {
	return ReadHeaderLimits(br, Limits{})
}

// Limits bound the header block ReadHeaderLimits reads; a zero field is no
// bound.
type Limits struct {
	// Bytes bounds the block counted as the milter session counts it: name
	// ":" value CRLF summed over the fields.
	Bytes int64
	// Fields bounds the number of fields.
	Fields int
}

// Errors of ReadHeaderLimits for a header block past its Limits.
var (
	ErrHeaderBytes  = errors.New("header block over the byte limit")
	ErrHeaderFields = errors.New("header block over the field limit")
)

// ReadHeaderLimits is ReadHeader within lim: at the first field that
// would pass a limit it returns the fields before that one and
// ErrHeaderBytes or ErrHeaderFields, having read at most one line (and
// never more than lim.Bytes of it) past them; br is then inside the header.
// A first body line longer than the bytes left is returned as far as read
// (the rest stays in br) when a byte of it shows that it is no field, and
// passes the limit while it could still be a field name.
func ReadHeaderLimits(br *bufio.Reader, lim Limits) (fields []Field, body []byte, err error) {
	var (
		buf     chunks // "Name:Value" of every field, back to back
		spans   []span
		line    []byte
		scratch []byte // lines longer than br's buffer
	)
	used := func() int64 { return int64(buf.n) + 2*int64(len(spans)) }
	for {
		maxLine := 0
		if lim.Bytes > 0 {
			maxLine = int(max(lim.Bytes-used(), 0)) + 2 // its line end
		}
		line, err = readLine(br, &scratch, maxLine)
		if errors.Is(err, errLineTooLong) {
			return tooLong(&buf, spans, line)
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, nil, err
		}
		if len(line) == 0 && err != nil {
			break // end of input
		}
		content := trimLineEnd(line)
		switch {
		case len(content) == 0:
			return build(&buf, spans), nil, nil
		case (content[0] == ' ' || content[0] == '\t') && len(spans) > 0:
			if lim.Bytes > 0 && used()+2+int64(len(content)) > lim.Bytes {
				return build(&buf, spans[:len(spans)-1]), nil, ErrHeaderBytes
			}
			buf.write(crlf)
			buf.write(content)
			spans[len(spans)-1].end = buf.n
			continue
		}
		colon := bytes.IndexByte(content, ':')
		if colon <= 0 || !validName(content[:colon]) {
			body = append([]byte(nil), content...)
			if line[len(line)-1] == '\n' {
				body = append(body, '\r', '\n')
			}
			return build(&buf, spans), body, nil
		}
		switch {
		case lim.Fields > 0 && len(spans) >= lim.Fields:
			return build(&buf, spans), nil, ErrHeaderFields
		case lim.Bytes > 0 && used()+int64(len(content))+2 > lim.Bytes:
			return build(&buf, spans), nil, ErrHeaderBytes
		}
		start := buf.n
		buf.write(content)
		spans = append(spans, span{start: start, colon: start + colon, end: buf.n})
	}
	return build(&buf, spans), nil, nil
}

// tooLong ends ReadHeaderLimits at a line longer than the bytes left,
// of which start was read: a continuation cuts the field before it, and a
// line that is no field (a byte that cannot be in a name before any
// colon) starts the body, returned as read, the rest of it left in br.
// A line that is, or may still be, a field passes the limit.
func tooLong(buf *chunks, spans []span, start []byte) ([]Field, []byte, error) {
	if (start[0] == ' ' || start[0] == '\t') && len(spans) > 0 {
		return build(buf, spans[:len(spans)-1]), nil, ErrHeaderBytes
	}
	if name, _, _ := bytes.Cut(start, []byte(":")); !validName(name) {
		return build(buf, spans), append([]byte(nil), start...), nil
	}
	return build(buf, spans), nil, ErrHeaderBytes
}

// trimLineEnd returns line without its trailing CRs and LFs.
func trimLineEnd(line []byte) []byte {
	n := len(line)
	for n > 0 && (line[n-1] == '\n' || line[n-1] == '\r') {
		n--
	}
	return line[:n]
}

var crlf = []byte("\r\n")

// span locates one field in ReadHeader's buffer.
type span struct{ start, colon, end int }

// chunks is a buffer in pieces that never move: growing it copies
// nothing, and String joins the pieces once. Pieces double from 4 KiB up to
// 1 MiB, so a small header costs one small piece.
type chunks struct {
	full [][]byte
	cur  []byte
	n    int // bytes written
}

func (c *chunks) write(p []byte) {
	if len(c.cur)+len(p) > cap(c.cur) {
		size := min(max(2*cap(c.cur), 4<<10), 1<<20)
		if len(c.cur) > 0 {
			c.full = append(c.full, c.cur)
		}
		c.cur = make([]byte, 0, max(size, len(p)))
	}
	c.cur = append(c.cur, p...)
	c.n += len(p)
}

func (c *chunks) String() string {
	var b strings.Builder
	b.Grow(c.n)
	for _, p := range c.full {
		b.Write(p)
	}
	b.Write(c.cur)
	return b.String()
}

// build turns the buffer and spans into fields sharing one string.
func build(buf *chunks, spans []span) []Field {
	if len(spans) == 0 {
		return nil
	}
	s := buf.String()
	fields := make([]Field, len(spans))
	for i, sp := range spans {
		fields[i] = Field{Name: s[sp.start:sp.colon], Value: s[sp.colon+1 : sp.end]}
	}
	return fields
}

// errLineTooLong is readLine's error for a line longer than its max.
var errLineTooLong = errors.New("line too long")

// readLine returns the next line of br with its LF, if it has one, and
// the error that ended it (io.EOF after the last line). The line is in
// br's buffer when it fits, else in *scratch: valid until the next read.
// A line of more than max bytes (max > 0) is errLineTooLong, with the
// line's start, once more than max bytes (and at most one buffer of br
// more) were read.
func readLine(br *bufio.Reader, scratch *[]byte, max int) ([]byte, error) {
	part, err := br.ReadSlice('\n')
	if max > 0 && len(part) > max {
		return part, errLineTooLong
	}
	if !errors.Is(err, bufio.ErrBufferFull) {
		return part, err
	}
	long := append((*scratch)[:0], part...)
	for errors.Is(err, bufio.ErrBufferFull) {
		part, err = br.ReadSlice('\n')
		if long = append(long, part...); max > 0 && len(long) > max {
			*scratch = long
			return long, errLineTooLong
		}
	}
	*scratch = long
	return long, err
}
