package decree

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestRenderHTML(t *testing.T) {
	cases := []struct {
		name, html, want string
	}{
		{name: "blocks and breaks", html: "<p>một</p><p>hai<br>ba</p><div>bốn</div>", want: "một\nhai\nba\nbốn"},
		{name: "whitespace collapses", html: "<p>  a\n\t b&nbsp;&nbsp;c </p>", want: "a b c"},
		{name: "table cells", html: "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", want: "a b\nc"},
		{name: "dropped elements", html: "<head><title>T</title><style>p{}</style></head><script>x()</script><p>v</p>", want: "v"},
		{name: "links kept", html: `<a href=" https://example.com/u ">Hủy</a> | <a href="mailto:h@example.com">Thư</a> | <a href="tel:19001234">Gọi</a>`,
			want: "Hủy <https://example.com/u> | Thư <mailto:h@example.com> | Gọi <tel:19001234>"},
		{name: "other links dropped", html: `<a href="javascript:x()">x</a> <a href="/rel">y</a> <a>z</a>`, want: "x y z"},
		{name: "entities", html: "<p>Ti&#7871;ng Vi&#7879;t &amp; c&ocirc;</p>", want: "Tiếng Việt & cô"},
		{name: "unclosed template does not hide body", html: "<template>x<body><p>v</p>", want: "v"},
		{name: "control characters are blanks", html: "a\x01b\x7fc\x00d", want: "a b c d"},
		{name: "upper-case tags", html: "<P>a</P><DIV>b<BR>c</DIV><A HREF='tel:19001234'>d</A>", want: "a\nb\nc\nd <tel:19001234>"},
		{name: "link targets decoded", html: `<a href="https://example.com/u?a=1&amp;b=2">x</a> <a href=&#109;ailto:h@example.com>y</a>`,
			want: "x <https://example.com/u?a=1&b=2> y <mailto:h@example.com>"},
		{name: "line breaks in link targets dropped", html: "<a href=\"https://example.com/a\n&#10;b\">x</a>", want: "x <https://example.com/ab>"},
		{name: "ampersands in link targets", html: `<a href="https://example.com/u?a=1&amp;b=2&amp;amp;c">x</a> <a href="https://example.com/u?a=1&b=2&lt;">y</a>`,
			want: "x <https://example.com/u?a=1&b=2&amp;c> y <https://example.com/u?a=1&b=2<>"},
		{name: "first href counts", html: `<a href="https://example.com/1" href="https://example.com/2">x</a>`, want: "x <https://example.com/1>"},
		{name: "self-closing script still hides its text", html: "<p>a</p><script/>var x = '<p>b</p>';</script><p>c</p>", want: "a\nc"},
		{name: "NUL inside svg does not end the text", html: "<p>a</p><svg><text>\x00</text></svg><p>b</p>", want: "a\nb"},
		{name: "Unicode spaces", html: "a\u00a0b\u2003c\u3000d ệ\u1680e", want: "a b c d ệ e"},
		{name: "self-closing svg and math", html: `<p>a</p><svg class="i"/><p>b</p><math/><p>c</p>`, want: "a\nb\nc"},
		{name: "odd quote in svg text", html: `<p>a</p><svg><text>TV 55" 4K</text></svg><p>b</p>`, want: "a\nTV 55\" 4K\nb"},
		{name: "nested svg", html: `<svg><svg width="1"/></svg><p>b</p>`, want: "b"},
		{name: "end tags with attributes", html: `<style>p{}</style x><p>a</p><a href="mailto:h@example.com">Thư</a x> b`, want: "a\nThư <mailto:h@example.com> b"},
		{name: "unclosed links", html: `<table><tr><td><a href="mailto:u@example.com">Email</td><td><a href="https://example.com/u">Web<a href="tel:19001234">Gọi</a></td></tr></table>`,
			want: "Email <mailto:u@example.com> Web <https://example.com/u> Gọi <tel:19001234>"},
		{name: "link open at the end", html: `<p>x <a href="https://example.com/u">y`, want: "x y <https://example.com/u>"},
		{name: "not HTML", html: "plain text only", want: "plain text only"},
		{name: "empty", html: "", want: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := renderHTML([]byte(tc.html)); got != tc.want {
				t.Errorf("renderHTML = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestBlankLen checks blankLen against unicode.IsSpace and the control
// characters for every rune, so the lead-byte shortcut cannot miss one.
func TestBlankLen(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		b := utf8.AppendRune(nil, r)
		want := 0
		if r <= ' ' || r == 0x7F || unicode.IsSpace(r) {
			want = len(b)
		}
		if got := blankLen(b); got != want {
			t.Fatalf("blankLen(%U) = %d, want %d", r, got, want)
		}
	}
}

// FuzzRenderHTML checks that any input renders without a panic into lines
// that are neither empty nor start with a space.
func FuzzRenderHTML(f *testing.F) {
	f.Add("<p>a</p><a href='mailto:x@example.com'>b</a><script>c</script>")
	f.Add("<svg><text>\x00</text></svg><math>")
	f.Add("<a href=\"&#10;https://x\">y</a><title>")
	f.Fuzz(func(t *testing.T, src string) {
		out := renderHTML([]byte(src))
		if strings.Contains(out, "\n\n") || strings.Contains(out, "\n ") || strings.HasPrefix(out, " ") || strings.HasSuffix(out, "\n") {
			t.Errorf("renderHTML(%q) = %q", src, out)
		}
	})
}
