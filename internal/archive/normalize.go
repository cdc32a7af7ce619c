package archive

import (
	"fmt"
	"net/netip"
	"strings"
	"unicode/utf8"
)

// maxIndexed bounds the bytes of an indexed text column (message id,
// From, client IP, recipient, count keys). PostgreSQL refuses a B-tree
// entry above about 2700 bytes, and one such value would fail its whole
// batch on every retry; longer values are cut at a rune boundary, on
// insert and in Search alike, so exact search still finds them.
const maxIndexed = 1000

// NormalizeAddress returns the form in which addresses are stored and
// searched: surrounding white space dropped; for a "Name <addr>" value
// (a From field) the part inside the last angle brackets; one pair of
// angle brackets removed; then the whole address lower-cased. RFC 5321
// §2.4 lets a local part be case-sensitive, but no mailbox in practice
// is, and a search must not miss "User@Example.COM". "" stays "".
func NormalizeAddress(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, ">") {
		if i := strings.LastIndexByte(s, '<'); i >= 0 {
			s = strings.TrimSpace(s[i+1 : len(s)-1])
		}
	}
	return strings.ToLower(s)
}

// NormalizeMessageID returns a Message-ID as stored and searched: the id
// between the first "<" and the next ">" (RFC 5322 §3.6.4 msg-id, so
// surrounding CFWS and folding go), else the trimmed value with any
// leading "<" or trailing ">" removed. Case is kept: the id-left of a
// msg-id is case-sensitive.
func NormalizeMessageID(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i+1:], '>'); j >= 0 {
			return strings.TrimSpace(s[i+1 : i+1+j])
		}
	}
	return strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
}

// canonicalIP parses s (optionally in [brackets]) with net/netip and
// prints it canonically: IPv6 compressed and lower-case (RFC 5952 §4),
// IPv4-mapped IPv6 as plain IPv4. Errors: s is not an IP address.
func canonicalIP(s string) (string, error) {
	t := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "["), "]")
	a, err := netip.ParseAddr(t)
	if err != nil {
		return "", fmt.Errorf("client IP %q: %w", s, err)
	}
	return a.Unmap().String(), nil
}

// storedIP is the client_ip column: canonical when s parses, else s as
// text (e.g. "unknown"), so that a strange value is kept, not refused.
func storedIP(s string) string {
	if ip, err := canonicalIP(s); err == nil {
		return ip
	}
	return indexKey(s)
}

// cleanText makes s storable in a PostgreSQL TEXT column (and the same on
// SQLite, so both backends return the same): NUL bytes dropped, invalid
// UTF-8 replaced by U+FFFD. Only the header column keeps raw bytes.
func cleanText(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}

// clip cuts s to at most n bytes at a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

// indexKey is the stored form of an indexed text value.
func indexKey(s string) string {
	return clip(cleanText(s), maxIndexed)
}

// HeaderBlock joins header fields (name, value as received) into the form
// of Record.Header: "Name: value" lines joined by CRLF, no trailing CRLF
// (RFC 5322 §2.2). A value that already starts with a space or tab (kept
// leading white space) gets no extra space; folded values are kept as
// they are.
func HeaderBlock(fields [][2]string) string {
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString(f[0])
		b.WriteByte(':')
		if f[1] != "" && f[1][0] != ' ' && f[1][0] != '\t' {
			b.WriteByte(' ')
		}
		b.WriteString(f[1])
	}
	return b.String()
}
