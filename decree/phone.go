package decree

import "strings"

// Shape of a written telephone number: digit groups separated by runs of
// at most maxSepRun characters from " .-()", at most maxDigits digits
// (E.164 §6.1).
const (
	maxSepRun = 3
	maxDigits = 15
)

// scanPhones calls fn with the byte span of every Vietnamese telephone
// number written in s. Accepted forms (digits grouped freely by spaces,
// dots, dashes, parentheses):
//   - national: 10 digits 0[35789]… (mobile) or 11 digits 02… (landline,
//     area code 02x since 2017), e.g. "0901 234 567", "(024) 1234 5678";
//   - international: +84 or 84 followed by the national number without
//     its 0 ("+84 901 234 567", "84-901-234-567", "+84 (0) 901 234 567");
//   - service numbers 1800/1900 + 4–6 digits, the first group starting
//     with 1800 or 1900 ("1900 1234", "1800.123.456"); "19.000.000" is a
//     price, not a number.
//
// A number must not continue a word or a longer digit string. When groups
// run on ("1900 1234 - 0901 234 567"), the longest valid prefix of groups
// is taken and the scan goes on after it; a run without a valid prefix is
// skipped whole.
func scanPhones(s string, fn func(start, end int)) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '+' && c != '(' && !isDigit(c) {
			continue
		}
		if i > 0 && (isWordByte(s[i-1]) || s[i-1] == '+') {
			continue
		}
		end, ok := phoneAt(s, i)
		if ok {
			fn(i, end)
		}
		i = max(i, end-1)
	}
}

// digitGroup is one run of digits: its text and the offset after it.
type digitGroup struct {
	digits string
	end    int
}

// phoneAt reads digit groups from s[i:] and returns the end of the longest
// valid prefix of them; when no prefix is valid, the end of the groups
// read, so that no number is taken from the middle of a longer digit
// string ("123-0901234567").
func phoneAt(s string, i int) (int, bool) {
	plus := s[i] == '+'
	j := i
	if plus {
		j++
	}
	var groups []digitGroup
	total, sep := 0, 0
	for j < len(s) && total <= maxDigits {
		switch c := s[j]; {
		case isDigit(c):
			k := j
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			groups = append(groups, digitGroup{digits: s[j:k], end: k})
			total += k - j
			j, sep = k, 0
			continue
		case strings.IndexByte(" .-()", c) >= 0 && sep < maxSepRun:
			sep++
			j++
			continue
		case sep < maxSepRun:
			if n := dashLen(s[j:]); n > 0 {
				sep++
				j += n
				continue
			}
		}
		break
	}
	for n := len(groups); n > 0; n-- {
		if validPhone(groups[:n], plus) {
			return groups[n-1].end, true
		}
	}
	if len(groups) == 0 {
		return i + 1, false
	}
	return groups[len(groups)-1].end, false
}

// validPhone checks the digit groups of one candidate (see scanPhones).
func validPhone(groups []digitGroup, plus bool) bool {
	var b strings.Builder
	for _, g := range groups {
		b.WriteString(g.digits)
	}
	d, first := b.String(), groups[0].digits
	switch {
	case len(d) > maxDigits:
		return false
	case plus || (strings.HasPrefix(first, "84") && (len(d) == 11 || len(d) == 12)):
		if !strings.HasPrefix(d, "84") {
			return false
		}
		national := d[2:]
		if !strings.HasPrefix(national, "0") {
			national = "0" + national
		}
		return validNational(national)
	case strings.HasPrefix(first, "1800") || strings.HasPrefix(first, "1900"):
		return len(d) >= 8 && len(d) <= 10
	}
	return validNational(d)
}

// validNational accepts 0[35789] + 8 digits (mobile) and 02 + 9 digits
// (landline).
func validNational(n string) bool {
	switch len(n) {
	case 10:
		return n[0] == '0' && strings.IndexByte("35789", n[1]) >= 0
	case 11:
		return n[0] == '0' && n[1] == '2'
	}
	return false
}

// hasTelLink reports a tel: URL (RFC 3966) or a "Tel:" label followed by 8
// to 15 digits in s: a number the sender itself marks as a telephone
// number, wherever it is registered.
func hasTelLink(s string) bool {
	low := asciiLower(s)
	for off := 0; ; {
		i := strings.Index(low[off:], "tel:")
		if i < 0 {
			return false
		}
		j := off + i + len("tel:")
		if off+i > 0 && isWordByte(s[off+i-1]) { // "hotel:"
			off = j
			continue
		}
		digits := 0
	number:
		for j < len(s) {
			switch {
			case isDigit(s[j]):
				digits++
			case strings.HasPrefix(s[j:], "%20"): // an escaped space
				j += 2
			case strings.IndexByte("+ .-()", s[j]) < 0:
				break number
			}
			j++
		}
		if digits >= 8 && digits <= maxDigits {
			return true
		}
		off = j
	}
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// typographicDashes are the dashes word processors put between digit
// groups instead of "-": hyphen U+2010, non-breaking hyphen U+2011,
// figure dash U+2012, en dash U+2013, minus sign U+2212, no-break
// space U+00A0.
var typographicDashes = []string{"\u2010", "\u2011", "\u2012", "\u2013", "\u2212", "\u00a0"}

// dashLen returns the size of the typographic dash (or no-break space)
// s starts with, 0 if none.
func dashLen(s string) int {
	for _, d := range typographicDashes {
		if strings.HasPrefix(s, d) {
			return len(d)
		}
	}
	return 0
}
