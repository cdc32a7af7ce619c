package mailmsg

import (
	"net/netip"
	"strings"
)

// MaxReceivedBytes bounds how much of one Received field value
// ReceivedFrom reads; the From-domain clause comes first, and Postfix's
// whole field is about 200 bytes.
const MaxReceivedBytes = 4096

// ReceivedHop is the sending host one Received field names in its
// From-domain clause (RFC 5321 §4.4): the name it gave in HELO/EHLO and
// the address the receiving host saw (TCP-info).
type ReceivedHop struct {
	HELO string
	IP   netip.Addr
}

// ReceivedFrom reads the From-domain clause of a Received field value
// (RFC 5321 §4.4 Time-stamp-line, as Postfix, Sendmail and Exim write it:
// "from HELO (rDNS [IP])", "from [IP] (helo=HELO)"): the HELO name and the
// address literal, the first one inside the clause's comments (TCP-info,
// what the receiving host saw) before one given as the HELO name itself.
// IPv6 literals are "[IPv6:…]". ok is false when the value does not start
// with "from" or the clause holds no address. The HELO name is the
// client's to choose: it runs to the whitespace RFC 5321 §4.4
// (Extended-Domain) puts before TCP-info, so that brackets or parentheses
// in it ("a([192.0.2.66])") are never read as the receiving host's
// comment. It reads at most
// MaxReceivedBytes in one pass, folding whitespace as it goes.
func ReceivedFrom(value string) (hop ReceivedHop, ok bool) {
	s := value[:min(len(value), MaxReceivedBytes)]
	i := skipSpace(s, 0)
	if len(s)-i < 5 || !strings.EqualFold(s[i:i+4], "from") || !isSpace(s[i+4]) {
		return ReceivedHop{}, false
	}
	i = skipSpace(s, i+4)
	start := i
	for i < len(s) && !isSpace(s[i]) {
		i++
	}
	hop.HELO = s[start:i]
	var inComment, bare netip.Addr
	depth := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case c == '[':
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				i = len(s)
				continue
			}
			if ip, good := addressLiteral(s[i+1 : i+end]); good {
				if depth > 0 && !inComment.IsValid() {
					inComment = ip
				}
				if depth == 0 && !bare.IsValid() {
					bare = ip
				}
			}
			i += end
		case depth == 0 && c == ';':
			i = len(s)
			continue
		case depth == 0 && isSpace(c):
			// The By-domain clause ends the From-domain one; the run of
			// whitespace is skipped whole, so that each byte is read once.
			i = skipSpace(s, i)
			if hasWord(s, i, "by") {
				i = len(s)
			}
			continue
		}
		i++
	}
	if lit, good := addressLiteral(strings.Trim(hop.HELO, "[]")); good && strings.HasPrefix(hop.HELO, "[") && !bare.IsValid() {
		bare = lit
	}
	hop.IP = inComment
	if !hop.IP.IsValid() {
		hop.IP = bare
	}
	return hop, hop.IP.IsValid()
}

// addressLiteral parses the inside of an RFC 5321 §4.1.3 address literal:
// an IPv4 address or "IPv6:" and an IPv6 address (the prefix optional, as
// some MTAs omit it), unmapped.
func addressLiteral(s string) (netip.Addr, bool) {
	if len(s) > 5 && strings.EqualFold(s[:5], "IPv6:") {
		s = s[5:]
	}
	if len(s) > 45 {
		return netip.Addr{}, false
	}
	ip, err := netip.ParseAddr(s)
	if err != nil || ip.Zone() != "" {
		return netip.Addr{}, false
	}
	return ip.Unmap(), true
}

// hasWord reports whether s has word (case-insensitive) at i, followed by
// whitespace or the end.
func hasWord(s string, i int, word string) bool {
	n := len(word)
	return len(s)-i >= n && strings.EqualFold(s[i:i+n], word) && (len(s) == i+n || isSpace(s[i+n]))
}

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
