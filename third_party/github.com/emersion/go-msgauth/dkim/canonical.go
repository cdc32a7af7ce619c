package dkim

import (
	"io"
	"strings"
)

// Canonicalization is a canonicalization algorithm.
type Canonicalization string

const (
	CanonicalizationSimple  Canonicalization = "simple"
	CanonicalizationRelaxed                  = "relaxed"
)

type canonicalizer interface {
	CanonicalizeHeader(s string) string
	CanonicalizeBody(w io.Writer) io.WriteCloser
}

var canonicalizers = map[Canonicalization]canonicalizer{
	CanonicalizationSimple:  new(simpleCanonicalizer),
	CanonicalizationRelaxed: new(relaxedCanonicalizer),
}

// crlfFixer fixes any lone LF without a preceding CR.
type crlfFixer struct {
	cr bool
}

func (cf *crlfFixer) Fix(b []byte) []byte {
	res := make([]byte, 0, len(b))
	for _, ch := range b {
		prevCR := cf.cr
		cf.cr = false
		switch ch {
		case '\r':
			cf.cr = true
		case '\n':
			if !prevCR {
				res = append(res, '\r')
			}
		}
		res = append(res, ch)
	}
	return res
}

type simpleCanonicalizer struct{}

func (c *simpleCanonicalizer) CanonicalizeHeader(s string) string {
	return s
}

type simpleBodyCanonicalizer struct {
	w io.Writer
	// crlfs counts the CRLFs held back: they are dropped if nothing but
	// more of them follows. Counting them instead of keeping their bytes
	// keeps a body of many empty lines linear: each write used to copy
	// all the held-back bytes again.
	crlfs int
	// cr holds back a final CR: the next write may begin with its LF.
	cr        bool
	crlfFixer crlfFixer
}

func (c *simpleBodyCanonicalizer) Write(b []byte) (int, error) {
	written := len(b)
	b = c.crlfFixer.Fix(b)

	if c.cr && len(b) > 0 && b[0] == '\n' {
		c.cr = false
		c.crlfs++
		b = b[1:]
	}
	if len(b) == 0 {
		return written, nil
	}

	end := len(b)
	// If it ends with \r, maybe the next write will begin with \n
	cr := b[end-1] == '\r'
	if cr {
		end--
	}
	// Keep all \r\n sequences
	crlfs := 0
	for end >= 2 {
		prev := b[end-2]
		cur := b[end-1]
		if prev != '\r' || cur != '\n' {
			break
		}
		end -= 2
		crlfs++
	}

	if end == 0 && !c.cr {
		c.crlfs += crlfs
		c.cr = cr
		return written, nil
	}
	if err := c.flush(); err != nil {
		return written, err
	}
	c.crlfs, c.cr = crlfs, cr
	_, err := c.w.Write(b[:end])
	return written, err
}

// flush writes the CRLFs and the CR held back.
func (c *simpleBodyCanonicalizer) flush() error {
	for c.crlfs > 0 {
		n := c.crlfs
		if n > len(crlfRun)/2 {
			n = len(crlfRun) / 2
		}
		if _, err := c.w.Write(crlfRun[:2*n]); err != nil {
			return err
		}
		c.crlfs -= n
	}
	if c.cr {
		c.cr = false
		if _, err := c.w.Write([]byte{'\r'}); err != nil {
			return err
		}
	}
	return nil
}

// crlfRun is written in pieces by flush; writers must not modify it.
var crlfRun = []byte(strings.Repeat(crlf, 512))

func (c *simpleBodyCanonicalizer) Close() error {
	// Flush the held-back CRLFs if they end with a single \r (without a
	// matching \n)
	if c.cr {
		if err := c.flush(); err != nil {
			return err
		}
	}
	c.crlfs = 0

	if _, err := c.w.Write([]byte(crlf)); err != nil {
		return err
	}
	return nil
}

func (c *simpleCanonicalizer) CanonicalizeBody(w io.Writer) io.WriteCloser {
	return &simpleBodyCanonicalizer{w: w}
}

type relaxedCanonicalizer struct{}

func (c *relaxedCanonicalizer) CanonicalizeHeader(s string) string {
	k, v, ok := strings.Cut(s, ":")
	if !ok {
		return strings.TrimSpace(strings.ToLower(s)) + ":" + crlf
	}

	k = strings.TrimSpace(strings.ToLower(k))
	v = strings.Join(strings.FieldsFunc(v, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r'
	}), " ")
	return k + ":" + v + crlf
}

type relaxedBodyCanonicalizer struct {
	w       io.Writer
	crlfBuf []byte
	wsp     bool
	written bool
	// cr is set when the last byte written was a CR, so that an LF at the
	// start of the next write is not taken for a lone LF.
	cr bool
	// out collects the canonical bytes of one Write; it is reused by the
	// next one.
	out []byte
}

// relaxedBodyOut is the most canonical output held before it is written
// on; longer runs of ordinary bytes go to the writer directly.
const relaxedBodyOut = 4096

// relaxedBodySpecial marks the bytes relaxed body canonicalization looks at
// (RFC 6376 §3.4.4): whitespace and line breaks. Every other byte is copied
// as it is, in runs.
var relaxedBodySpecial = [256]bool{' ': true, '\t': true, '\r': true, '\n': true}

func (c *relaxedBodyCanonicalizer) Write(b []byte) (int, error) {
	written := len(b)
	if c.out == nil {
		// one buffer for the canonicalizer's life, not grown by append
		c.out = make([]byte, 0, relaxedBodyOut)
	}
	out := c.out[:0]
	for i := 0; i < len(b); {
		if relaxedBodySpecial[b[i]] {
			c.special(b[i])
			i++
			continue
		}
		j := i + 1
		for j < len(b) && !relaxedBodySpecial[b[j]] {
			j++
		}
		// A run of ordinary bytes: the line breaks held back and one space
		// for the whitespace before it are due now.
		c.cr = false
		c.written = true
		if len(c.crlfBuf) > 0 {
			out = append(out, c.crlfBuf...)
			c.crlfBuf = c.crlfBuf[:0]
		}
		if c.wsp {
			out = append(out, ' ')
			c.wsp = false
		}
		if run := b[i:j]; len(out)+len(run) <= cap(c.out) {
			out = append(out, run...)
		} else {
			if err := c.emit(out); err != nil {
				return 0, err
			}
			out = out[:0]
			if err := c.emit(run); err != nil {
				return 0, err
			}
		}
		i = j
	}
	c.out = out[:0]
	return written, c.emit(out)
}

// special takes one whitespace or line-break byte: whitespace is folded
// into one space (dropped at the end of a line), line breaks are held back
// until more than line breaks follow, and a lone LF becomes CRLF.
func (c *relaxedBodyCanonicalizer) special(ch byte) {
	prevCR := c.cr
	c.cr = ch == '\r'
	switch ch {
	case ' ', '\t':
		c.wsp = true
	case '\n':
		c.wsp = false
		if !prevCR {
			c.crlfBuf = append(c.crlfBuf, '\r')
		}
		c.crlfBuf = append(c.crlfBuf, '\n')
	case '\r':
		c.wsp = false
		c.crlfBuf = append(c.crlfBuf, '\r')
	}
}

// emit writes b on unless it is empty.
func (c *relaxedBodyCanonicalizer) emit(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	_, err := c.w.Write(b)
	return err
}

func (c *relaxedBodyCanonicalizer) Close() error {
	if c.written {
		if _, err := c.w.Write([]byte(crlf)); err != nil {
			return err
		}
	}
	return nil
}

func (c *relaxedCanonicalizer) CanonicalizeBody(w io.Writer) io.WriteCloser {
	return &relaxedBodyCanonicalizer{w: w}
}

type limitedWriter struct {
	W io.Writer
	N int64
}

func (w *limitedWriter) Write(b []byte) (int, error) {
	if w.N <= 0 {
		return len(b), nil
	}

	skipped := 0
	if int64(len(b)) > w.N {
		b = b[:w.N]
		skipped = int(int64(len(b)) - w.N)
	}

	n, err := w.W.Write(b)
	w.N -= int64(n)
	return n + skipped, err
}
