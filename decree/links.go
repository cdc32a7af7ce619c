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
// an "@", a ":" (schemes, "mailto:") or a "." followed by a letter. Words
// are told apart from candidates in the same pass that finds their ends.
func linkTokens(text string) iter.Seq[string] {
	return func(yield func(string) bool) {
		i := 0
		for i < len(text) {
			if n := linkSepLen(text, i); n > 0 {
				i += n
				continue
			}
			j, candidate := tokenEnd(text, i)
			tok := text[i:min(j, i+maxLinkToken)]
			i = j
			if candidate && !yield(tok) {
				return
			}
		}
	}
}

// tokenEnd returns the end of the token starting at text[i] and whether
// it may hold a link (see linkTokens).
func tokenEnd(text string, i int) (int, bool) {
	candidate, prevDot := false, false
	j := i
	for ; j < len(text); j++ {
		c := text[j]
		if c >= utf8.RuneSelf {
			if blankClass[c] == blankMaybe && blankLen(text[j:]) > 0 {
				break
			}
			prevDot = false
			continue
		}
		if linkSep[c] {
			break
		}
		candidate = candidate || c == '@' || c == ':' || (prevDot && (c|0x20) >= 'a' && (c|0x20) <= 'z')
		prevDot = c == '.'
	}
	return j, candidate
}

// linkSep marks the ASCII token separators: white space, control
// characters and < > " '.
var linkSep = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = c <= ' ' || c == 0x7F || c == '<' || c == '>' || c == '"' || c == '\''
	}
	return t
}()

// linkSepLen returns the size of the token separator at text[i] (see
// linkSep; non-ASCII white space too), 0 when text[i] is part of a token
// (a continuation byte of a character included).
func linkSepLen(text string, i int) int {
	if c := text[i]; c < utf8.RuneSelf {
		if linkSep[c] {
			return 1
		}
		return 0
	}
	return blankLen(text[i:])
}

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
