package decree

import (
	"regexp"
	"strings"

	"golang.org/x/text/unicode/norm"
	"mvdan.cc/xurls/v2"
)

// maxURLBytes bounds the text handed to the URL regexp per candidate.
const maxURLBytes = 2048

// webURL matches an http(s) URL at the start of a text (xurls' strict
// form: a scheme, then a path that does not end in punctuation).
var webURL = func() *regexp.Regexp {
	re, err := xurls.StrictMatchingScheme(`https?://`)
	if err != nil {
		panic(err) // a constant expression: fails at init or never
	}
	anchored := regexp.MustCompile(`^(?:` + re.String() + `)`)
	anchored.Longest()
	return anchored
}()

// contacts are the means of contact written in a piece of text.
type contacts struct {
	web   bool     // an http(s) URL or a www. host name
	phone bool     // a Vietnamese telephone number or a tel: link
	email []string // addresses, lower-case, in order, without duplicates
}

// findContacts looks for contacts in s. Addresses and digits inside a URL
// (tracking parameters such as ?email=…) do not count, nor do the
// addresses in exclude (lower-case: the recipients, named in footers like
// "sent to you@example.com").
func findContacts(s string, exclude []string) contacts {
	low := asciiLower(s)
	urls := urlSpans(s, low)
	c := contacts{web: len(urls) > 0, phone: hasTelLink(s)}
	scanPhones(s, func(start, _ int) {
		if !inSpans(urls, start) {
			c.phone = true
		}
	})
	scanEmails(low, func(start int, addr string) {
		if !inSpans(urls, start) && !contains(exclude, addr) {
			c.email = appendUnique(c.email, addr)
		}
	})
	return c
}

// span is a byte range [start, end).
type span struct{ start, end int }

func inSpans(spans []span, pos int) bool {
	for _, sp := range spans {
		if sp.start <= pos && pos < sp.end {
			return true
		}
	}
	return false
}

// urlSpans returns the http(s) URLs and www. host names in s; low is s
// with ASCII letters lower-cased.
func urlSpans(s, low string) []span {
	var out []span
	for off := 0; off < len(s); {
		i := indexWeb(low[off:])
		if i < 0 {
			break
		}
		start := off + i
		end := start
		if start == 0 || !isURLGlue(low[start-1]) {
			end += webLen(s[start:], low[start:])
		}
		if end > start {
			out = append(out, span{start: start, end: end})
			off = end
			continue
		}
		off = start + 1
	}
	return out
}

// indexWeb returns the offset of the first "http" or "www." in low, or -1.
func indexWeb(low string) int {
	h, w := strings.Index(low, "http"), strings.Index(low, "www.")
	switch {
	case h < 0:
		return w
	case w < 0 || h < w:
		return h
	}
	return w
}

// webLen returns the length of the URL or www. host name that starts s
// (low is its lower-cased form), 0 if none does.
func webLen(s, low string) int {
	if strings.HasPrefix(low, "http") {
		if loc := webURL.FindStringIndex(s[:min(len(s), maxURLBytes)]); loc != nil {
			return loc[1]
		}
		return 0
	}
	n := len("www.")
	for n < len(s) && !strings.ContainsRune(" \t\r\n<>\"'()[]{}|", rune(s[n])) {
		n++
	}
	host, _, _ := strings.Cut(s[:n], "/")
	host = strings.TrimRight(host, ".,;:!?")
	if len(host) <= len("www.") || !strings.Contains(host[len("www."):], ".") {
		return 0
	}
	return len(strings.TrimRight(s[:n], ".,;:!?"))
}

// scanEmails calls fn with the offset and lower-cased, NFC text of every
// e-mail address in low: a local part of letters, digits and "._%+-", "@", and a
// domain of at least two labels. Non-ASCII letters are allowed (RFC 6531).
func scanEmails(low string, fn func(start int, addr string)) {
	for off := 0; off < len(low); {
		at := strings.IndexByte(low[off:], '@')
		if at < 0 {
			return
		}
		at += off
		start := at
		for start > 0 && isLocalByte(low[start-1]) {
			start--
		}
		for start < at && low[start] == '.' {
			start++
		}
		end := at + 1
		for end < len(low) && (isWordByte(low[end]) || low[end] == '-' || low[end] == '.') {
			end++
		}
		for end > at+1 && (low[end-1] == '.' || low[end-1] == '-') {
			end--
		}
		if domain := low[at+1 : end]; start < at && strings.Contains(domain, ".") && !strings.Contains(domain, "..") {
			fn(start, norm.NFC.String(strings.ToLower(strings.ToValidUTF8(low[start:end], "\uFFFD"))))
		}
		off = max(end, at+1)
	}
}

// isURLGlue reports bytes that make "http"/"www." part of a longer word,
// address or host name.
func isURLGlue(b byte) bool {
	return isWordByte(b) || b == '@' || b == '.' || b == '/' || b == '-'
}

func isLocalByte(b byte) bool {
	return isWordByte(b) || strings.IndexByte("._%+-", b) >= 0
}

// asciiLower lower-cases the ASCII letters of s only, so that byte offsets
// stay valid.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
