package decree

import (
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
	name, hasAttr := r.z.TagName()
	a := atom.Lookup(name)
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
	case a == atom.A && hasAttr:
		r.href = keptHref(r.z)
	}
}

func (r *htmlRenderer) end() {
	name, _ := r.z.TagName()
	a := atom.Lookup(name)
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
		r.text([]byte(" <" + r.href + ">"))
		r.href = ""
	}
}

// text appends t with every whitespace run collapsed to one space.
func (r *htmlRenderer) text(t []byte) {
	for len(t) > 0 {
		c, size := rune(t[0]), 1
		if c >= utf8.RuneSelf {
			c, size = utf8.DecodeRune(t)
		}
		t = t[size:]
		if unicode.IsSpace(c) || c == 0 {
			r.space = true
			continue
		}
		if r.space && r.b.Len() > 0 && !r.atLineStart() {
			r.b.WriteByte(' ')
		}
		r.space = false
		r.b.WriteRune(c)
	}
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

// keptHref returns the trimmed href of the current <a> tag when its
// scheme is one a refusal channel can use, else "".
func keptHref(z *html.Tokenizer) string {
	for {
		k, v, more := z.TagAttr()
		if string(k) == "href" {
			h := strings.TrimSpace(string(v))
			l := strings.ToLower(h)
			for _, scheme := range []string{"http://", "https://", "mailto:", "tel:"} {
				if strings.HasPrefix(l, scheme) {
					return h
				}
			}
			return ""
		}
		if !more {
			return ""
		}
	}
}

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
