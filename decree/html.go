package decree

import (
	"bytes"
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tdewolff/parse/v2"
	lexer "github.com/tdewolff/parse/v2/html"
	"golang.org/x/net/html/atom"
)

// renderHTML turns an HTML body into text the way a mail client lays it
// out, closely enough for the opt-out analysis: block elements and <br>
// start new lines, table cells are separated by a space, whitespace inside
// text collapses, character references are decoded, and <script>, <style>,
// <title>, <template>, <noscript> are dropped; an image's alt text is
// text. The target of a link whose
// scheme is http, https, mailto or tel follows the link text in angle
// brackets, so that <a href="mailto:huy@example.com">Hủy đăng ký</a>
// renders as "Hủy đăng ký <mailto:huy@example.com>" and the channel stays
// visible.
//
// The tdewolff/parse HTML5 lexer does the tokenizing: it works in place on
// one buffer and costs a third of golang.org/x/net/html's tokenizer, which
// made most of the analysis time of a large HTML ad. It lexes src in place:
// src's bytes change (tag names lower-cased, NUL bytes blanked) and the
// byte past its length may be overwritten when its capacity allows.
func renderHTML(src []byte) string {
	// The lexer reads a NUL byte as the end of its input inside <svg> and
	// <math>; NUL renders as a blank anyway.
	for i := bytes.IndexByte(src, 0); i >= 0; {
		src[i] = ' '
		j := bytes.IndexByte(src[i+1:], 0)
		if j < 0 {
			break
		}
		i += 1 + j
	}
	r := htmlRenderer{l: lexer.NewLexer(parse.NewInputBytes(src))}
	r.b.Grow(len(src) / 2)
	r.run()
	r.flushHref() // a link left open at the end still shows
	return strings.TrimSuffix(r.b.String(), "\n")
}

type htmlRenderer struct {
	l     *lexer.Lexer
	b     strings.Builder
	skip  int       // depth inside dropped elements
	tag   atom.Atom // the start tag whose attributes are being read
	href  []byte    // target of the open <a>, nil if none kept
	space bool      // a space is pending before the next text
	depth int       // nesting of foreign (<svg>, <math>) elements
}

func (r *htmlRenderer) run() {
	for {
		tt, data := r.l.Next()
		switch tt {
		case lexer.ErrorToken:
			return
		case lexer.TextToken:
			if r.skip == 0 {
				r.text(r.l.Text())
			}
		case lexer.StartTagToken:
			r.tag = atom.Lookup(r.l.Text())
			r.start(r.tag)
		case lexer.AttributeToken:
			switch {
			case r.tag == atom.A && string(r.l.AttrKey()) == "href":
				r.href = keptHref(r.l.AttrVal())
				r.tag = 0 // the first href counts, as in browsers
			case r.tag == atom.Img && r.skip == 0 && string(r.l.AttrKey()) == "alt":
				r.alt(r.l.AttrVal())
				r.tag = 0
			}
		case lexer.EndTagToken:
			r.end(atom.Lookup(endTagName(r.l.Text())))
		case lexer.SVGToken, lexer.MathToken:
			r.foreign(data)
		}
	}
}

// alt writes the alt text of an image as a word group of its own: a
// reader who does not load images sees it, and an image button ("Hủy
// đăng ký" drawn in a picture) says what it does only there.
func (r *htmlRenderer) alt(v []byte) {
	if len(v) > 0 && (v[0] == '"' || v[0] == '\'') {
		v = bytes.TrimSuffix(v[1:], v[:1])
	}
	r.space = true
	r.text(v)
	r.space = true
}

// endTagName cuts what follows the name in an end tag ("style x",
// "title/"): browsers ignore it, the lexer returns it with the name.
func endTagName(t []byte) []byte {
	for i, c := range t {
		if c <= ' ' || c == '/' {
			return t[:i]
		}
	}
	return t
}

// maxForeignDepth bounds the nesting of <svg>/<math> elements rendered.
const maxForeignDepth = 8

// foreign renders an <svg> or <math> element. The lexer returns it whole,
// as one token that ends at the matching end tag by XML rules of its own,
// so that a self-closing <svg/> or an odd quote in the element's text
// makes it run to the end of the input. Its bytes are lexed again as HTML,
// the element's own name hidden so that it is not taken whole again: no
// text is lost, text inside <svg><text> included. Elements nested deeper
// than maxForeignDepth are dropped.
func (r *htmlRenderer) foreign(data []byte) {
	if r.depth >= maxForeignDepth || len(data) < 2 {
		return
	}
	sub := make([]byte, len(data), len(data)+1) // the lexer writes past the end
	copy(sub, data)
	sub[1] = 'x' // "<svg" → "<xvg", "<math" → "<xath": unknown elements
	outer := r.l
	r.l = lexer.NewLexer(parse.NewInputBytes(sub))
	r.depth++
	r.run()
	r.depth--
	r.l = outer
}

// start handles an opening tag. A trailing slash closes nothing: HTML5
// ignores it on non-void elements, and the lexer reads the raw text after
// <script/> or <style/> as their content, as browsers do.
func (r *htmlRenderer) start(a atom.Atom) {
	switch {
	case dropped(a):
		r.skip++
	case a == atom.Body:
		r.skip = 0 // an unclosed <title> or <style> in <head> must not hide the body
	case a == atom.Br:
		r.newline()
	case blockElement(a):
		r.flushHref()
		r.newline()
	case a == atom.Td || a == atom.Th:
		r.space = true
	case a == atom.A && r.href != nil:
		r.flushHref()
		r.space = true // the new link's text is a word of its own
	}
}

func (r *htmlRenderer) end(a atom.Atom) {
	switch {
	case dropped(a):
		if r.skip > 0 {
			r.skip--
		}
	case blockElement(a):
		r.flushHref()
		r.newline()
	case a == atom.Td || a == atom.Th:
		r.flushHref()
		r.space = true
	case a == atom.A:
		r.flushHref()
	}
}

// flushHref writes the kept target of the open link after its text. It
// runs at </a>, and where browsers end an unclosed <a> for the reader: at
// the next <a>, a table cell's end or a block's start or end.
func (r *htmlRenderer) flushHref() {
	if r.href == nil {
		return
	}
	r.space = true
	r.separate()
	r.writeHref(r.href)
	r.href = nil
}

// text appends t, character references decoded, with every whitespace
// run collapsed to one space.
func (r *htmlRenderer) text(t []byte) {
	if bytes.IndexByte(t, '&') >= 0 {
		t = []byte(html.UnescapeString(string(t)))
	}
	for i := 0; i < len(t); {
		if n := blankLen(t[i:]); n > 0 {
			r.space = true
			i += n
			continue
		}
		j := wordEnd(t, i+1)
		r.separate()
		r.b.Write(t[i:j])
		i = j
	}
}

// wordEnd returns the offset of the first blank character in t at or
// after j, len(t) if none.
func wordEnd(t []byte, j int) int {
	for ; j < len(t); j++ {
		switch blankClass[t[j]] {
		case blankASCII:
			return j
		case blankMaybe:
			if blankLen(t[j:]) > 0 {
				return j
			}
		}
	}
	return len(t)
}

// blankLen returns the size of the character at t[0] when it renders as
// a space (whitespace or a control character), else 0. Called on a
// continuation byte it returns 0.
func blankLen[T string | []byte](t T) int {
	switch blankClass[t[0]] {
	case blankASCII:
		return 1
	case blankMaybe:
		if t[0] == 0xE1 && (len(t) < 2 || t[1] != 0x9A) {
			return 0 // U+1Exx: Vietnamese letters; only U+1680 is a space
		}
		var buf [utf8.UTFMax]byte
		n := copy(buf[:], t)
		r, size := utf8.DecodeRune(buf[:n])
		if unicode.IsSpace(r) {
			return size
		}
	}
	return 0
}

// Byte classes of blankClass.
const (
	blankNever = iota // starts no blank character
	blankASCII        // an ASCII space or control character
	blankMaybe        // the lead byte of U+0085, U+00A0, U+1680, U+2000–U+205F or U+3000
)

// blankClass classifies the first byte of a character: the only non-ASCII
// white space (unicode.IsSpace) starts with 0xC2, 0xE1, 0xE2 or 0xE3, so
// other characters, Vietnamese letters among them, need no decoding.
var blankClass = func() (t [256]byte) {
	for c := range t {
		switch {
		case c <= ' ' || c == 0x7F:
			t[c] = blankASCII
		case c == 0xC2 || c == 0xE1 || c == 0xE2 || c == 0xE3:
			t[c] = blankMaybe
		}
	}
	return t
}()

// separate writes the pending space, unless at the start of a line.
func (r *htmlRenderer) separate() {
	if r.space && !r.atLineStart() {
		r.b.WriteByte(' ')
	}
	r.space = false
}

func (r *htmlRenderer) newline() {
	r.space = false
	if !r.atLineStart() {
		r.b.WriteByte('\n')
	}
}

// atLineStart reports whether nothing or a line break was written last.
func (r *htmlRenderer) atLineStart() bool {
	s := r.b.String()
	return s == "" || s[len(s)-1] == '\n'
}

// keptHref returns the href value v (quotes and surrounding spaces
// removed) when its scheme is one a refusal channel can use, else nil.
// Character references stay encoded (see writeHref); a scheme spelled with
// them ("&#109;ailto:") is decoded to be recognised. The result may share
// v's memory.
func keptHref(v []byte) []byte {
	if len(v) > 0 && (v[0] == '"' || v[0] == '\'') {
		v = bytes.TrimSuffix(v[1:], v[:1])
	}
	v = bytes.TrimSpace(v)
	if hasKeptScheme(v) {
		return v
	}
	if bytes.IndexByte(v, '&') >= 0 {
		if u := bytes.TrimSpace([]byte(html.UnescapeString(string(v)))); hasKeptScheme(u) {
			return u
		}
	}
	return nil
}

func hasKeptScheme(v []byte) bool {
	for _, scheme := range keptSchemes {
		if len(v) >= len(scheme) && bytes.EqualFold(v[:len(scheme)], scheme) {
			return true
		}
	}
	return false
}

// writeHref writes the link target h with its character references
// ("&amp;" in a query string) decoded and, as URL parsers do, its tabs and
// line breaks removed (WHATWG URL Standard, basic URL parser).
func (r *htmlRenderer) writeHref(h []byte) {
	r.b.WriteByte('<')
	if bytes.ContainsAny(h, "&\t\r\n") && !onlyAmp(h) {
		r.b.WriteString(strings.Map(dropTabNewline, html.UnescapeString(string(h))))
	} else {
		// Tracking links write every query string "&amp;": decoded
		// here without the copies of the general path.
		for i := bytes.Index(h, amp); i >= 0; i = bytes.Index(h, amp) {
			r.b.Write(h[:i+1])
			h = h[i+len(amp):]
		}
		r.b.Write(h)
	}
	r.b.WriteByte('>')
}

var amp = []byte("&amp;")

// onlyAmp reports whether every "&" of h starts "&amp;" and h holds no tab
// or line break.
func onlyAmp(h []byte) bool {
	if bytes.ContainsAny(h, "\t\r\n") {
		return false
	}
	for i := bytes.IndexByte(h, '&'); i >= 0; i = bytes.IndexByte(h, '&') {
		if !bytes.HasPrefix(h[i:], amp) {
			return false
		}
		h = h[i+len(amp):]
	}
	return true
}

func dropTabNewline(r rune) rune {
	if r == '\t' || r == '\r' || r == '\n' {
		return -1
	}
	return r
}

// keptSchemes are the link schemes of refusal channels (Art. 20.2).
var keptSchemes = [][]byte{[]byte("https://"), []byte("http://"), []byte("mailto:"), []byte("tel:")}

// dropped reports elements whose text a reader does not see.
func dropped(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Title, atom.Template, atom.Noscript:
		return true
	}
	return false
}

// blockElement reports elements a mail client lays out on their own line.
func blockElement(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Tr, atom.Li, atom.Ul, atom.Ol, atom.Table,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Hr,
		atom.Blockquote, atom.Pre, atom.Section, atom.Article, atom.Header,
		atom.Footer, atom.Center, atom.Address, atom.Dl, atom.Dt, atom.Dd,
		atom.Form, atom.Tbody, atom.Thead, atom.Tfoot, atom.Caption:
		return true
	}
	return false
}
