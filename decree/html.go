package decree

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// renderHTML turns an HTML body into text the way a mail client lays it
// out, closely enough for the opt-out analysis: block elements and <br>
// start new lines, table cells are separated by a space, whitespace inside
// text collapses, and <script>, <style>, <title>, <template>, <noscript> are
// dropped. The target of a link whose scheme is http, https, mailto or tel
// follows the link text in angle brackets, so that
// <a href="mailto:huy@example.com">Hủy đăng ký</a> renders as
// "Hủy đăng ký <mailto:huy@example.com>" and the channel stays visible.
func renderHTML(src string) string {
	r := htmlRenderer{z: html.NewTokenizer(strings.NewReader(src))}
	r.b.Grow(len(src) / 2)
	r.run()
	return strings.TrimSuffix(r.b.String(), "\n")
}

type htmlRenderer struct {
	z     *html.Tokenizer
	b     strings.Builder
	skip  int    // depth inside dropped elements
	href  string // target of the open <a>, "" if none kept
	space bool   // a space is pending before the next text
}

func (r *htmlRenderer) run() {
	for {
		switch r.z.Next() {
		case html.ErrorToken:
			return
		case html.TextToken:
			if r.skip == 0 {
				r.text(r.z.Text())
			}
		case html.StartTagToken:
			r.start(false)
		case html.SelfClosingTagToken:
			r.start(true)
		case html.EndTagToken:
			r.end()
		}
	}
}

// start handles an opening tag; selfClosing tags open nothing.
func (r *htmlRenderer) start(selfClosing bool) {
	a := tagAtom(r.z.Raw())
	switch {
	case dropped(a):
		if !selfClosing {
			r.skip++
		}
	case a == atom.Body:
		r.skip = 0 // an unclosed <title> or <style> in <head> must not hide the body
	case a == atom.Br || blockElement(a):
		r.newline()
	case a == atom.Td || a == atom.Th:
		r.space = true
	case a == atom.A:
		r.href = keptHref(r.z)
	}
}

func (r *htmlRenderer) end() {
	a := tagAtom(r.z.Raw())
	switch {
	case dropped(a):
		if r.skip > 0 {
			r.skip--
		}
	case blockElement(a):
		r.newline()
	case a == atom.Td || a == atom.Th:
		r.space = true
	case a == atom.A && r.href != "":
		r.space = true
		r.separate()
		r.b.WriteByte('<')
		r.b.WriteString(r.href)
		r.b.WriteByte('>')
		r.href = ""
	}
}

// text appends t with every whitespace run collapsed to one space.
func (r *htmlRenderer) text(t []byte) {
	for len(t) > 0 {
		word := wordLen(t)
		if word > 0 {
			r.separate()
			r.b.Write(t[:word])
			t = t[word:]
		}
		for len(t) > 0 {
			c, size := rune(t[0]), 1
			if c >= utf8.RuneSelf {
				c, size = utf8.DecodeRune(t)
			}
			if !isBlank(c) {
				break
			}
			r.space = true
			t = t[size:]
		}
	}
}

// wordLen returns the length of the run of t before its first blank.
func wordLen(t []byte) int {
	for i := 0; i < len(t); {
		if t[i] < utf8.RuneSelf {
			if isBlank(rune(t[i])) {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(t[i:])
		if isBlank(r) {
			return i
		}
		i += size
	}
	return len(t)
}

// isBlank reports characters that render as space: whitespace and
// control characters.
func isBlank(r rune) bool {
	return r <= ' ' || r == 0x7F || unicode.IsSpace(r)
}

// separate writes the pending space, unless at the start of a line.
func (r *htmlRenderer) separate() {
	if r.space && r.b.Len() > 0 && !r.atLineStart() {
		r.b.WriteByte(' ')
	}
	r.space = false
}

func (r *htmlRenderer) newline() {
	r.space = false
	if r.b.Len() > 0 && !r.atLineStart() {
		r.b.WriteByte('\n')
	}
}

func (r *htmlRenderer) atLineStart() bool {
	s := r.b.String()
	return s[len(s)-1] == '\n'
}

// tagAtom returns the atom of the tag whose source is raw ("<a href…>",
// "</P>"), 0 for names no atom has. It reads the name from the raw bytes
// because Tokenizer.TagName allocates on every call.
func tagAtom(raw []byte) atom.Atom {
	var name [maxTagName]byte
	i, n := 1, 0
	if len(raw) > 1 && raw[1] == '/' {
		i = 2
	}
	for ; i < len(raw); i++ {
		c := raw[i]
		if c <= ' ' || c == '/' || c == '>' {
			break
		}
		if n == len(name) {
			return 0
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		name[n] = c
		n++
	}
	return atom.Lookup(name[:n])
}

// maxTagName bounds the tag names tagAtom looks up: longer ones are none
// the renderer treats specially.
const maxTagName = 12

// keptHref returns the trimmed href of the current <a> tag when its
// scheme is one a refusal channel can use, else "".
func keptHref(z *html.Tokenizer) string {
	for {
		k, v, more := z.TagAttr()
		if string(k) == "href" {
			v = bytes.TrimSpace(v)
			for _, scheme := range keptSchemes {
				if len(v) >= len(scheme) && bytes.EqualFold(v[:len(scheme)], scheme) {
					return string(v)
				}
			}
			return ""
		}
		if !more {
			return ""
		}
	}
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
