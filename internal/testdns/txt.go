package testdns

import (
	"fmt"
	"strings"
)

// maxCharString is the longest DNS character-string (RFC 1035 §3.3).
const maxCharString = 255

// characterStrings turns raw texts into the escaped character-strings that
// dns.TXT.Txt holds: each text is cut into pieces of at most 255 bytes
// (RFC 7208 §3.3: a long record is published as several strings) and each
// piece is escaped so that miekg/dns packs its exact bytes.
func characterStrings(texts []string) []string {
	var out []string
	for _, t := range texts {
		for {
			n := min(len(t), maxCharString)
			out = append(out, escapeTXT(t[:n]))
			t = t[n:]
			if t == "" {
				break
			}
		}
	}
	return out
}

// escapeTXT returns raw in zone-file character-string form: backslash and
// quote escaped with a backslash, bytes outside printable ASCII as \DDD
// (RFC 1035 §5.1).
func escapeTXT(raw string) string {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == '\\' || c == '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c > '~':
			fmt.Fprintf(&b, "\\%03d", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
