package decree

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFoldText(t *testing.T) {
	cases := []struct {
		name, src, want string
		lines           []int32
	}{
		{name: "Vietnamese", src: "Hủy Đăng Ký", want: "huy dang ky", lines: []int32{0}},
		{name: "all tone marks", src: "ẮẰẲẴẶ ỚỜỞỠỢ ỨỪỬỮỰ", want: "aaaaa ooooo uuuuu", lines: []int32{0}},
		// windows-1258 style: e + circumflex precomposed, acute combining.
		{name: "combining tone mark", src: "khuye\u0302\u0301n ma\u0303i", want: "khuyen mai", lines: []int32{0}},
		{name: "whitespace and lines", src: "  a \t b\r\n\n c\u00a0d ", want: "a b c d", lines: []int32{0, 4}},
		{name: "invisible characters", src: "kh\u200buyến\u00ad mãi", want: "khuyen mai", lines: []int32{0}},
		{name: "full-width", src: "ＳＡＬＥ５０％", want: "sale50%", lines: []int32{0}},
		{name: "other scripts kept", src: "Straße 東京", want: "straße 東京", lines: []int32{0}},
		{name: "empty", src: "", want: "", lines: []int32{0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := foldText(tc.src)
			if f.text != tc.want || !slices.Equal(f.lines, tc.lines) {
				t.Errorf("fold = %q lines %v, want %q lines %v", f.text, f.lines, tc.want, tc.lines)
			}
			checkSrcOffsets(t, f)
		})
	}
	f := foldText("Gọi: 1900 1234")
	if got := f.source(5, len(f.text)); got != "1900 1234" {
		t.Errorf("source = %q", got)
	}
}

// checkSrcOffsets: the source before srcOffset(pos) folds to the folded
// text before pos (but for a trailing space, which folding only writes
// before a following character); inside a multi-byte character, pos
// counts from that character's start.
func checkSrcOffsets(t *testing.T, f *folded) {
	t.Helper()
	for pos := 0; pos <= len(f.text); pos++ {
		start := pos
		for start < len(f.text) && !utf8.RuneStart(f.text[start]) {
			start--
		}
		off := f.srcOffset(pos)
		if got, want := foldString(f.src[:off]), strings.TrimSuffix(f.text[:start], " "); got != want {
			t.Fatalf("srcOffset(%d) = %d: %q folds to %q, want %q", pos, off, f.src[:off], got, want)
		}
	}
}

// TestSrcOffsetLong crosses many marks, lines and dropped characters.
func TestSrcOffsetLong(t *testing.T) {
	src := strings.Repeat("Quý khách  có quyền\n\ntừ chối\u200b nhận ＱＣ\u00a0x\u0301 ", 40)
	f := foldText(src)
	if len(f.marks) < 10 {
		t.Fatalf("only %d marks", len(f.marks))
	}
	checkSrcOffsets(t, f)
}

func TestMatcher(t *testing.T) {
	ps := newPhraseSet([]string{"khuyến mãi", "Khuyen Mai", "sale", "% off", "unsubscribe", "opt-out", "he", "she"})
	if len(ps.names) != 7 || ps.names[0] != "khuyến mãi" {
		t.Fatalf("dedup kept %q", ps.names)
	}
	cases := []struct {
		text string
		want []string // phrase names found
	}{
		{text: "khuyen mai lon", want: []string{"khuyến mãi"}},
		{text: "big sale!", want: []string{"sale"}},
		{text: "wholesale prices", want: nil},
		{text: "sales", want: nil},
		{text: "50% off today", want: []string{"% off"}},
		{text: "50% office", want: nil},
		{text: "click to unsubscribe.", want: []string{"unsubscribe"}},
		{text: "unsubscribe? yes", want: []string{"unsubscribe"}},
		{text: "https://example.com/unsubscribe", want: nil},
		{text: "unsubscribe.html", want: nil},
		{text: "unsubscribe@example.com", want: nil},
		{text: "x-unsubscribe", want: nil},
		{text: "- unsubscribe", want: []string{"unsubscribe"}},
		{text: "opt-out here", want: []string{"opt-out"}},
		{text: "ushers", want: nil},
		{text: "she said", want: []string{"she"}},
		{text: "he, she", want: []string{"he", "she"}},
	}
	for _, tc := range cases {
		t.Run(tc.text, func(t *testing.T) {
			var got []string
			for id, hit := range ps.found(tc.text) {
				if hit {
					got = append(got, ps.names[id])
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("found %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMatcherOverlaps(t *testing.T) {
	m := newMatcher([]string{"he", "she", "hers", "his"})
	var got []string
	m.scan("ushers his", func(id, start, end int) {
		got = append(got, m.phrases[id]+"@"+string(rune('0'+start)))
	})
	// In "ushers" no phrase stands on word boundaries; "his" does.
	if !slices.Equal(got, []string{"his@7"}) {
		t.Errorf("matches %q", got)
	}
	var all []string
	m.scan("she hers", func(id, _, _ int) { all = append(all, m.phrases[id]) })
	if !slices.Equal(all, []string{"she", "hers"}) {
		t.Errorf("matches %q", all)
	}
}

// TestMatcherHalves checks the two interleaved walks of scan against one
// walk and against a brute-force search, with a phrase placed at every
// offset around the middle of the text where the halves meet.
func TestMatcherHalves(t *testing.T) {
	m := newMatcher([]string{"tu choi", "huy dang ky", "unsubscribe", "khuyen mai", "ai", "i"})
	filler := strings.Repeat("lorem ipsum dolor sit amet ", 4)
	for _, phrase := range m.phrases {
		// The text's length stays the same, so its middle does; the
		// phrase moves across it.
		for shift := -20; shift <= 20; shift++ {
			text := filler[:50+shift] + " " + phrase + " " + filler[:50-shift] + " khuyen mai"
			var got, one []hit
			m.scan(text, func(id, start, end int) { got = append(got, hit{id, start, end}) })
			m.walk(text, 0, 0, func(id, start, end int) { one = append(one, hit{id, start, end}) })
			if !slices.Equal(got, one) {
				t.Fatalf("%q: scan %v, one walk %v", text, got, one)
			}
			if want := bruteForce(m, text); !slices.Equal(sortedHits(got), want) {
				t.Fatalf("%q: scan %v, brute force %v", text, got, want)
			}
		}
	}
}

// bruteForce finds every bounded occurrence of m's phrases by searching
// each phrase at every offset, sorted like sortedHits.
func bruteForce(m *matcher, text string) []hit {
	var out []hit
	for id, p := range m.phrases {
		for i := 0; i+len(p) <= len(text); i++ {
			if text[i:i+len(p)] == p && bounded(text, i, i+len(p), p) {
				out = append(out, hit{id, i, i + len(p)})
			}
		}
	}
	return sortedHits(out)
}

func sortedHits(h []hit) []hit {
	h = slices.Clone(h)
	slices.SortFunc(h, func(a, b hit) int {
		if a.end != b.end {
			return a.end - b.end
		}
		return a.id - b.id
	})
	return h
}
