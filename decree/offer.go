package decree

import "strings"

// discountLook is how far before a percentage a discount word may stand
// ("giảm tới 50%", "sale up to 70%"), in folded bytes.
const discountLook = 32

// discountWords, folded, make a percentage a discount when one ends within
// discountLook bytes before it ("off" may also follow it: "30% off").
var discountWords = []string{"giam", "sale", "discount", "uu dai", "khuyen mai", "off", "save"}

// maxPercents is how many percentages hasDiscount examines: a text of
// statistics, or one written to cost, has more without being an offer.
const maxPercents = 64

// hasDiscount reports a discount in folded text: a percentage of 1–99
// ("30%", "30 %") with a discount word just before it or "off" after it,
// among the first maxPercents percentages. Each looks at a bounded
// window: linear in len(text).
func hasDiscount(text string) bool {
	seen := 0
	for off := 0; off < len(text) && seen < maxPercents; {
		i := strings.IndexByte(text[off:], '%')
		if i < 0 {
			return false
		}
		i += off
		off = i + 1
		j := i
		if j > 0 && text[j-1] == ' ' {
			j--
		}
		d := j
		for d > 0 && j-d < 3 && isDigit(text[d-1]) {
			d--
		}
		if d == j || j-d > 2 || (d > 0 && isWordByte(text[d-1])) {
			continue
		}
		seen++
		before := text[max(0, d-discountLook):d]
		after := text[i+1 : min(len(text), i+6)]
		for _, w := range discountWords {
			if strings.Contains(before, w) {
				return true
			}
		}
		if strings.HasPrefix(strings.TrimLeft(after, " "), "off") {
			return true
		}
	}
	return false
}

// priceUnits, folded, end an amount ("1.250.000đ", "499 USD", "199k");
// "₫" and "$" are recognised too.
var priceUnits = []string{"vnd", "dong", "usd", "d", "k"}

// hasPrice reports a price in folded text: digits (with "." or ","
// group separators) followed by a currency unit, or "$" and digits.
func hasPrice(text string) bool {
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '$' && i+1 < len(text) && isDigit(text[i+1]) {
			return true
		}
		if !isDigit(c) || (i > 0 && isWordByte(text[i-1])) {
			continue
		}
		j := i
		for j < len(text) && (isDigit(text[j]) || ((text[j] == '.' || text[j] == ',') && j+1 < len(text) && isDigit(text[j+1]))) {
			j++
		}
		if priceUnitAt(text, j) {
			return true
		}
		i = j
	}
	return false
}

// priceUnitAt reports a currency unit at text[j:], after at most one
// space, standing as a word of its own.
func priceUnitAt(text string, j int) bool {
	if j < len(text) && text[j] == ' ' {
		j++
	}
	rest := text[j:]
	if strings.HasPrefix(rest, "₫") {
		return true
	}
	for _, u := range priceUnits {
		if strings.HasPrefix(rest, u) && (len(rest) == len(u) || !isWordByte(rest[len(u)])) {
			return true
		}
	}
	return false
}

// vietnameseLetters is how many letters only Vietnamese writes (đ, ă, ơ,
// ư, the precomposed letters with tone marks U+1EA0–U+1EF9, the
// combining hook above and dot below) make a text Vietnamese.
const vietnameseLetters = 3

// isVietnamese reports whether s (NFC) holds at least vietnameseLetters
// letters only Vietnamese writes. It stops at the first n found.
func isVietnamese(s string) bool {
	n := 0
	for i := 0; i+1 < len(s); i++ {
		switch c, d := s[i], s[i+1]; {
		case c == 0xC4 && (d == 0x90 || d == 0x91 || d == 0x82 || d == 0x83), // Đ đ Ă ă
			c == 0xC6 && (d == 0xA0 || d == 0xA1 || d == 0xAF || d == 0xB0),                           // Ơ ơ Ư ư
			c == 0xE1 && i+2 < len(s) && (d == 0xBA && s[i+2] >= 0xA0 || d == 0xBB && s[i+2] <= 0xB9), // U+1EA0–U+1EF9
			c == 0xCC && (d == 0x89 || d == 0xA3):                                                     // combining hook above, dot below (windows-1258 tones)
			n++
			if n >= vietnameseLetters {
				return true
			}
		}
	}
	return false
}
