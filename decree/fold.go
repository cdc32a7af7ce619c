package decree

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// folded is a text prepared for case- and diacritics-insensitive matching:
// Vietnamese and other Latin letters lose their marks ("Hủy đăng ký" →
// "huy dang ky"), letters are lower-case, full-width ASCII becomes ASCII,
// invisible characters (zero-width space, soft hyphen, combining marks left
// over) vanish and every whitespace run, line breaks included, becomes one
// space. Line breaks are remembered in lines so that windows can be counted
// in lines.
type folded struct {
	// src is the (NFC) text; text is its folded form.
	src, text string
	// lines holds the offsets in text where a line starts, ascending;
	// lines[0] == 0.
	lines []int32
	// marks map offsets in text back to src every markEvery bytes.
	marks []foldMark
}

// foldMark says that text[fold] comes from the character at src[src] and
// that no whitespace is pending there.
type foldMark struct{ fold, src int32 }

// markEvery is the spacing of foldMarks: mapping an offset back re-folds
// at most this many bytes.
const markEvery = 128

// Special results of foldRune.
const (
	foldDrop    rune = -1 // invisible: emit nothing
	foldSpace   rune = -2 // whitespace
	foldNewline rune = -3 // line break
)

// Fold tables for U+0080–U+024F (Latin-1 Supplement, Latin Extended-A/B)
// and U+1E00–U+1EFF (Latin Extended Additional: most Vietnamese letters
// with tone marks), filled once from the canonical decompositions.
var (
	latinFold = func() (t [0x250 - 0x80]rune) {
		for r := rune(0x80); r < 0x250; r++ {
			t[r-0x80] = baseLetter(r)
		}
		t[0xA0-0x80] = foldSpace   // no-break space
		t[0x85-0x80] = foldNewline // NEL
		t[0xAD-0x80] = foldDrop    // soft hyphen
		return t
	}()
	vietFold = func() (t [0x100]rune) {
		for r := rune(0x1E00); r < 0x1F00; r++ {
			t[r-0x1E00] = baseLetter(r)
		}
		return t
	}()
)

// baseLetter maps r to its lower-case base letter when its canonical
// decomposition starts with an ASCII letter ("ệ" → 'e'); đ/Đ, which have
// no decomposition, map to 'd'; C1 controls are whitespace; anything else
// is only lower-cased.
func baseLetter(r rune) rune {
	switch {
	case r < 0xA0:
		return foldSpace
	case r == 'đ' || r == 'Đ':
		return 'd'
	}
	var buf [utf8.UTFMax]byte
	d := norm.NFD.Bytes(buf[:utf8.EncodeRune(buf[:], r)])
	if b := rune(d[0]); b < utf8.RuneSelf && unicode.IsLetter(b) {
		return unicode.ToLower(b)
	}
	return unicode.ToLower(r)
}

// foldRune returns what r becomes in folded text: a rune, or foldDrop,
// foldSpace or foldNewline.
func foldRune(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		switch {
		case 'A' <= r && r <= 'Z':
			return r + ('a' - 'A')
		case r == '\n':
			return foldNewline
		case r <= ' ' || r == 0x7F:
			return foldSpace
		}
		return r
	case r < 0x250:
		return latinFold[r-0x80]
	case r >= 0x300 && r < 0x370: // combining diacritical marks
		return foldDrop
	case r >= 0x1E00 && r < 0x1F00:
		return vietFold[r-0x1E00]
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		return foldRune(r - 0xFEE0)
	case r == 0x2028 || r == 0x2029:
		return foldNewline
	case (r >= 0x200B && r <= 0x200D) || r == 0x2060 || r == 0xFEFF:
		return foldDrop
	case unicode.IsSpace(r):
		return foldSpace
	}
	return unicode.ToLower(r)
}

// asciiFold is foldRune for ASCII; asciiPlain is the folded byte for
// ASCII characters that are neither whitespace nor control, 0 for all
// other bytes.
var (
	asciiFold = func() (t [utf8.RuneSelf]rune) {
		for r := range utf8.RuneSelf {
			t[r] = foldRune(rune(r))
		}
		return t
	}()
	asciiPlain = func() (t [256]byte) {
		for r, f := range asciiFold {
			if f > ' ' {
				t[r] = byte(f)
			}
		}
		return t
	}()
)

// foldAt decodes the character at src[i] and returns what it folds to
// and its size in src.
func foldAt(src string, i int) (rune, int) {
	c := src[i]
	if c < utf8.RuneSelf {
		return asciiFold[c], 1
	}
	// Inline decoding of the two table ranges (most Vietnamese text).
	if i+1 < len(src) && src[i+1]&0xC0 == 0x80 {
		c1 := rune(src[i+1] & 0x3F)
		if r := rune(c&0x1F)<<6 | c1; c >= 0xC2 && c <= 0xDF && r < 0x250 {
			return latinFold[r-0x80], 2
		}
		if c == 0xE1 && c1 >= 0x38 && c1 <= 0x3B && i+2 < len(src) && src[i+2]&0xC0 == 0x80 {
			return vietFold[(c1-0x38)<<6|rune(src[i+2]&0x3F)], 3
		}
	}
	r, size := utf8.DecodeRuneInString(src[i:])
	return foldRune(r), size
}

// foldText folds src (see folded). Invalid UTF-8 bytes fold to U+FFFD.
func foldText(src string) *folded {
	// Sized for the usual case (every line break a "\n", folded text no
	// longer than src), so that the slices rarely grow.
	f := &folded{
		src:   src,
		lines: append(make([]int32, 0, strings.Count(src, "\n")+1), 0),
		marks: make([]foldMark, 0, len(src)/markEvery+1),
	}
	bp := scratch.Get().(*[]byte)
	buf := (*bp)[:0]
	defer func() { putScratch(bp, buf) }()
	space, newline, lastMark := false, false, -markEvery
	for i := 0; i < len(src); {
		// Fast path: a run of ASCII that folds to itself or to lower case,
		// single spaces between words included, until the next mark is due.
		if !space {
			for i < len(src) && len(buf)-lastMark < markEvery {
				if p := asciiPlain[src[i]]; p != 0 {
					buf = append(buf, p)
					i++
				} else if src[i] == ' ' && i+1 < len(src) && asciiPlain[src[i+1]] != 0 && len(buf) > 0 {
					buf = append(buf, ' ', asciiPlain[src[i+1]])
					i += 2
				} else {
					break
				}
			}
			if i == len(src) {
				break
			}
		}
		fr, size := foldAt(src, i)
		switch fr {
		case foldDrop:
		case foldSpace, foldNewline:
			space = space || len(buf) > 0
			newline = newline || fr == foldNewline
		default:
			if space {
				buf = append(buf, ' ')
				if newline {
					f.lines = append(f.lines, int32(len(buf)))
				}
			}
			space, newline = false, false
			if len(buf)-lastMark >= markEvery {
				lastMark = len(buf)
				f.marks = append(f.marks, foldMark{fold: int32(lastMark), src: int32(i)})
			}
			buf = utf8.AppendRune(buf, fr)
		}
		i += size
	}
	f.text = string(buf)
	return f
}

// srcOffset returns the offset in f.src of the character text[pos] came
// from (for a space: where the whitespace run starts); len(f.src) for
// pos >= len(f.text). It re-folds from the nearest mark before pos.
func (f *folded) srcOffset(pos int) int {
	if pos >= len(f.text) || len(f.marks) == 0 {
		return len(f.src)
	}
	k, _ := slices.BinarySearchFunc(f.marks, int32(pos)+1, func(m foldMark, p int32) int {
		return cmp.Compare(m.fold, p)
	})
	m := f.marks[max(k-1, 0)]
	n, space, spaceAt := int(m.fold), false, 0
	for i := int(m.src); i < len(f.src); {
		fr, size := foldAt(f.src, i)
		switch fr {
		case foldDrop:
		case foldSpace, foldNewline:
			if !space {
				space, spaceAt = true, i
			}
		default:
			if space {
				if n == pos {
					return spaceAt
				}
				n, space = n+1, false
			}
			w := utf8.RuneLen(fr)
			if pos < n+w {
				return i
			}
			n += w
		}
		i += size
	}
	return len(f.src)
}

// foldString returns only the folded text of s, without leading or
// trailing space.
func foldString(s string) string {
	return foldText(s).text
}

// Fold returns s as the decree analysis matches it: lower case, Latin
// letters without their diacritics ("Khuyến mãi" → "khuyen mai", đ → d),
// full-width ASCII as ASCII, invisible characters (zero-width space, soft
// hyphen, stray combining marks) removed, every whitespace run one space
// and none at either end; invalid UTF-8 becomes U+FFFD. Punctuation is
// kept. Time and memory O(len(s)).
func Fold(s string) string { return foldString(s) }

// lineOf returns the index in f.lines of the line holding offset pos.
func (f *folded) lineOf(pos int) int {
	lo, hi := 0, len(f.lines)
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if int(f.lines[mid]) <= pos {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// lineStart returns the folded offset where line n starts, clamping n to
// the existing lines; n past the last line gives len(f.text).
func (f *folded) lineStart(n int) int {
	switch {
	case n <= 0:
		return 0
	case n >= len(f.lines):
		return len(f.text)
	}
	return int(f.lines[n])
}

// source returns the part of f.src that folded offsets [start, end) came
// from.
func (f *folded) source(start, end int) string {
	return f.src[f.srcOffset(start):f.srcOffset(end)]
}
