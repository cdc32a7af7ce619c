package decree

import (
	"iter"
	"net/netip"
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// Link is a host named in a message's text: a URL's host (a domain or an
// IP literal) or an email address's domain.
type Link struct {
	Email bool   // from an email address (mailto: or bare), else a URL
	Host  string // lower case, as written (no IDNA conversion)
	// Address is the whole email address, lower case, for Email links.
	Address string
}

// DefaultMaxLinkBytes is the head of each text part to read for Links:
// the first 256 KiB of decoded text. Spam puts its links early; SpamAssassin scans the first
// 50 000 bytes of a body part for URIs (body_part_scan_size), and reading
// a 2 MiB newsletter whole for its links would cost more than the rest of
// its checks.
const DefaultMaxLinkBytes = 256 << 10

// Links returns the hosts of the URLs and email addresses in every text
// part of the body (text/plain as written, text/html rendered with its
// link targets, so hrefs count), in order of first appearance and without
// duplicates, at most max of them (max ≤ 0: no limit). It reads the heads
// ReadBody kept (DefaultMaxLinkBytes is the usual size). It is the body
// input of URIBL lookups (the blocklists' SourceURL and SourceEmail).
func (b *Body) Links(max int) []Link {
	var links []Link
	seen := map[Link]bool{}
	for _, p := range b.all {
		for tok := range linkTokens(p.head) {
			l, ok := parseLink(tok)
			if !ok || seen[l] {
				continue
			}
			seen[l] = true
			links = append(links, l)
			if max > 0 && len(links) == max {
				return links
			}
		}
	}
	return links
}

// maxLinkToken bounds the tokens handed to the URL regexp; a longer run of
// non-blank characters is cut (URLs are rarely longer, RFC 7230 §3.1.1
// recommends support for 8000 octets in request lines, browsers cut
// around 2000 in places).
const maxLinkToken = 4096

// linkTokens yields the tokens of text (runs between white space, angle
// brackets and quotes) that can hold a URL or an email address: those with
// an "@", a ":" (schemes, "mailto:") or a "." followed by a letter. It
// jumps from one such mark to the next with strings.IndexByte (vectorized)
// and only then finds the token around it, so that plain text costs
// little: scanning every byte was a twelfth of the daemon's CPU in the
// load test.
func linkTokens(text string) iter.Seq[string] {
	return func(yield func(string) bool) {
		m := newLinkMarks()
		for from := 0; from < len(text); {
			k := m.next(text, from)
			if k < 0 {
				return
			}
			start, end := tokenStart(text, k), tokenEnd(text, k)
			from = end
			if !yield(text[start:min(end, start+maxLinkToken)]) {
				return
			}
		}
	}
}

// linkMarks caches the next position of each mark: "@", ":", and "."
// followed by an ASCII letter; markUnknown before the first search, -1
// when there is none left.
type linkMarks struct{ pos [3]int }

const markUnknown = -2

func newLinkMarks() linkMarks { return linkMarks{pos: [3]int{markUnknown, markUnknown, markUnknown}} }

// next returns the first mark at or after from, -1 when none is left.
func (m *linkMarks) next(text string, from int) int {
	best := -1
	for i, p := range m.pos {
		if p == markUnknown || (p >= 0 && p < from) {
			p = findMark(text, from, "@:."[i])
			m.pos[i] = p
		}
		if p >= 0 && (best < 0 || p < best) {
			best = p
		}
	}
	return best
}

// findMark finds mark c at or after from; a "." counts only before an
// ASCII letter ("example.com", not the end of a sentence).
func findMark(text string, from int, c byte) int {
	for from < len(text) {
		k := strings.IndexByte(text[from:], c)
		if k < 0 {
			return -1
		}
		k += from
		if c != '.' || (k+1 < len(text) && (text[k+1]|0x20) >= 'a' && (text[k+1]|0x20) <= 'z') {
			return k
		}
		from = k + 1
	}
	return -1
}

// tokenStart returns the start of the token holding text[k]: just after
// the separator before it (linkSep, or a non-ASCII blank), or 0.
func tokenStart(text string, k int) int {
	i := k
	for i > 0 {
		c := text[i-1]
		if c < utf8.RuneSelf {
			if linkSep[c] {
				break
			}
			i--
			continue
		}
		_, size := utf8.DecodeLastRuneInString(text[:i])
		if blankLen(text[i-size:]) > 0 {
			break
		}
		i -= size
	}
	return i
}

// tokenEnd returns the end of the token holding text[i]: the next
// separator (linkSep, or a non-ASCII blank), or len(text).
func tokenEnd(text string, i int) int {
	j := i
	for ; j < len(text); j++ {
		c := text[j]
		if c < utf8.RuneSelf {
			if linkSep[c] {
				break
			}
		} else if blankClass[c] == blankMaybe && blankLen(text[j:]) > 0 {
			break
		}
	}
	return j
}

// linkSep marks the ASCII token separators: white space, control
// characters and < > " '.
var linkSep = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = c <= ' ' || c == 0x7F || c == '<' || c == '>' || c == '"' || c == '\''
	}
	return t
}()

// parseLink finds the link in one token: a URL with a scheme (its host,
// by net/url), an email address (mailto: or bare: its dotted domain), or a
// schemeless host such as "www.example.com/offer" or "example.vn", which
// counts only when its top-level domain is in the Public Suffix List
// (golang.org/x/net/publicsuffix), so that "ngay.Giảm" or a file name is
// not taken for a domain. Punctuation around the link is dropped.
//
// It replaced xurls' relaxed regexp here: with every top-level domain in
// one alternation, Go's NFA spent 16 ms on a 50 KiB ad (BenchmarkLinks50K).
func parseLink(tok string) (Link, bool) {
	tok = strings.TrimRight(strings.TrimLeft(tok, "([{*`"), ").,;:!?]}*`")
	lower := strings.ToLower(tok)
	if i := strings.Index(lower, "://"); i > 0 {
		start := i
		for start > 0 && isSchemeChar(lower[start-1]) {
			start--
		}
		u, err := url.Parse(lower[start:])
		if err != nil {
			return Link{}, false
		}
		host := u.Hostname()
		if _, err := netip.ParseAddr(host); err != nil && !isHostName(host) {
			return Link{}, false // "%80" and other escapes decode to no host name
		}
		return Link{Host: host}, true
	}
	if addr, ok := strings.CutPrefix(lower, "mailto:"); ok || strings.IndexByte(lower, '@') >= 0 {
		addr, _, _ = strings.Cut(addr, "?")
		local, domain, found := strings.Cut(addr, "@")
		if i := strings.LastIndexAny(local, ":;,([{"); i >= 0 { // "Email:info@…"
			local = local[i+1:]
			addr = local + "@" + domain
		}
		domain = strings.TrimRight(domain, ".")
		addr = strings.TrimRight(addr, ".")
		if !found || local == "" || !isHostName(domain) {
			return Link{}, false
		}
		return Link{Email: true, Host: domain, Address: addr}, true
	}
	host := lower
	if i := strings.IndexAny(host, "/?#:"); i >= 0 {
		host = host[:i]
	}
	host = strings.TrimRight(host, ".")
	if !isHostName(host) || !knownTLD(host) {
		return Link{}, false
	}
	return Link{Host: host}, true
}

func isSchemeChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'
}

// isHostName reports a dotted name of letters, digits and hyphens (any
// non-ASCII character counts as a letter: IDNs as written).
func isHostName(h string) bool {
	if !strings.Contains(h, ".") || strings.HasPrefix(h, ".") || strings.Contains(h, "..") || len(h) > 253 || !utf8.ValidString(h) {
		return false
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r >= 0x80) {
			return false
		}
	}
	return true
}

// knownTLD reports whether h ends in a top-level domain the Public Suffix
// List knows (its ICANN section, or a private rule under one).
func knownTLD(h string) bool {
	tld := h[strings.LastIndexByte(h, '.')+1:]
	if tld == "" || strings.Trim(tld, "0123456789") == "" {
		return false
	}
	if a, err := idna.Lookup.ToASCII(tld); err == nil {
		tld = a // the List is in A-labels: "việtnam" → "xn--..."
	}
	_, icann := publicsuffix.PublicSuffix(tld)
	return icann
}
