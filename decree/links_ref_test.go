package decree

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// refLinkTokens is the byte-by-byte tokenizer linkTokens replaced, kept
// as the reference the faster one must agree with: every token (run
// between separators) that holds "@", ":" or "." before a letter.
func refLinkTokens(text string) []string {
	var out []string
	i := 0
	for i < len(text) {
		if n := refSepLen(text, i); n > 0 {
			i += n
			continue
		}
		j, candidate := i, false
		prevDot := false
		for ; j < len(text) && refSepLen(text, j) == 0; j++ {
			c := text[j]
			if c >= utf8.RuneSelf {
				prevDot = false
				continue
			}
			candidate = candidate || c == '@' || c == ':' || (prevDot && (c|0x20) >= 'a' && (c|0x20) <= 'z')
			prevDot = c == '.'
		}
		if candidate {
			out = append(out, text[i:min(j, i+maxLinkToken)])
		}
		i = j
	}
	return out
}

func refSepLen(text string, i int) int {
	if c := text[i]; c < utf8.RuneSelf {
		if linkSep[c] {
			return 1
		}
		return 0
	}
	return blankLen(text[i:])
}

func TestLinkTokensAgreeWithReference(t *testing.T) {
	for _, text := range []string{
		"", "plain words. Another sentence.", "Xem https://Shop.Example.com/a?x=1 và www.example.org, thư lienhe@example.net",
		"a.b\u00a0c.d\u3000e@f\u2003g:h", "<https://x.example/>\"'mailto:a@b.example'", "end.", ".start", "@", "x:",
		"tiếng Việt.example.vn ngày.Giảm", strings.Repeat("a", maxLinkToken+10) + ".com y@z",
		strings.Repeat("Khách hàng thân mến, tháng này. Xin cảm ơn! Xem https://shop.example.com/offer ", 200),
	} {
		if got, want := slices.Collect(linkTokens(text)), refLinkTokens(text); !slices.Equal(got, want) {
			t.Errorf("linkTokens(%q) = %q, want %q", text, got, want)
		}
	}
}

func FuzzLinkTokens(f *testing.F) {
	f.Add("Xem https://Shop.Example.com/a?x=1 và www.example.org, thư lienhe@example.net mailto:x@y.example")
	f.Add("a.b\u00a0c.d\u3000e@f\u2003g:h \u1680x.y")
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			return // separators inside invalid UTF-8 are found byte by byte forward only
		}
		if got, want := slices.Collect(linkTokens(text)), refLinkTokens(text); !slices.Equal(got, want) {
			t.Errorf("linkTokens(%q) = %q, want %q", text, got, want)
		}
	})
}

// BenchmarkLinkTokensProse: 256 KiB of prose with a link every 4 KiB, the
// shape of a long newsletter's text; ref is the byte-by-byte reference.
func BenchmarkLinkTokensProse(b *testing.B) {
	para := strings.Repeat("Khách hàng thân mến, chương trình khuyến mãi tháng này. Xin cảm ơn quý khách! ", 50)
	text := strings.Repeat(para+"Xem https://shop.example.com/offer ", 64)[:256<<10]
	b.SetBytes(int64(len(text)))
	b.Run("new", func(b *testing.B) {
		for b.Loop() {
			for range linkTokens(text) {
			}
		}
	})
	b.Run("ref", func(b *testing.B) {
		for b.Loop() {
			refLinkTokens(text)
		}
	})
}
