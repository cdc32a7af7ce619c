package dsn

import (
	"net/url"
	"strings"
)

// urlSpans finds the passwords of a postgres:// URL. The authority ends
// at the first '/', '?' or '#' (as net/url splits it) and its userinfo at
// the authority's last '@'; the password follows the userinfo's first
// ':'. When the authority has no '@' but the rest does, a '/', '?' or '#'
// sits inside the password (a URL that does not parse): the password then
// runs from the first ':' to the last '@'. Query values of password and
// sslpassword follow.
func urlSpans(target string) []span {
	p := strings.Index(target, "://") + 3
	rest := target[p:]
	var out []span
	after := 0 // where the query may start, relative to rest
	authEnd := strings.IndexAny(rest, "/?#")
	if authEnd < 0 {
		authEnd = len(rest)
	}
	colon, firstAt, lastAt := strings.IndexByte(rest, ':'), strings.IndexByte(rest, '@'), strings.LastIndexByte(rest, '@')
	switch at := strings.LastIndexByte(rest[:authEnd], '@'); {
	case at >= 0:
		if c := strings.IndexByte(rest[:at], ':'); c >= 0 {
			out = append(out, span{p + c + 1, p + at})
		}
		after = at
	case firstAt >= 0 && colon >= 0 && colon < firstAt:
		out = append(out, span{p + colon + 1, p + lastAt})
		after = lastAt
	}
	q := strings.IndexByte(rest[after:], '?')
	if q < 0 {
		return out
	}
	start := p + after + q + 1
	query := target[start:]
	if h := strings.IndexByte(query, '#'); h >= 0 {
		query = query[:h]
	}
	for off := 0; off <= len(query); {
		end := strings.IndexByte(query[off:], '&')
		if end < 0 {
			end = len(query) - off
		}
		pair := query[off : off+end]
		if k, _, ok := strings.Cut(pair, "="); ok && isSecretQueryKey(k) {
			out = append(out, span{start + off + len(k) + 1, start + off + end})
		}
		off += end + 1
	}
	return out
}

// isSecretQueryKey reports whether a raw query key names a password; a
// key that does not decode counts when it looks like one ("pass").
func isSecretQueryKey(k string) bool {
	key, err := url.QueryUnescape(k)
	if err != nil {
		return strings.Contains(strings.ToLower(k), "pass")
	}
	return secretKeys[strings.ToLower(key)]
}

// kvSpans finds the password values of a libpq key=value DSN: pairs
// "key = value" separated by whitespace, a value either bare (up to the
// next whitespace, "\" escaping one byte) or in single quotes ("\'" and
// "\\" inside). A value that never ends runs to the end of target; a
// keyword without '=' ends the scan (the DSN is malformed and the rest is
// masked when a password keyword came before).
func kvSpans(target string) []span {
	var out []span
	i := 0
	for {
		i = skipSpace(target, i)
		if i >= len(target) {
			return out
		}
		k := i
		for i < len(target) && target[i] != '=' && !isSpace(target[i]) {
			i++
		}
		key := target[k:i]
		i = skipSpace(target, i)
		if i >= len(target) || target[i] != '=' {
			return out
		}
		i = skipSpace(target, i+1)
		v := i
		i = kvValueEnd(target, i)
		if secretKeys[strings.ToLower(key)] {
			out = append(out, span{v, i})
		}
	}
}

// kvValueEnd returns the end of the value starting at i.
func kvValueEnd(s string, i int) int {
	if i < len(s) && s[i] == '\'' {
		for i++; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '\'':
				return i + 1
			}
		}
		return len(s)
	}
	for ; i < len(s) && !isSpace(s[i]); i++ {
		if s[i] == '\\' {
			i++
		}
	}
	return min(i, len(s))
}

// firstKV returns the first keyword of a key=value DSN and whether an '='
// follows it.
func firstKV(s string) (string, bool) {
	i := skipSpace(s, 0)
	k := i
	for i < len(s) && s[i] != '=' && !isSpace(s[i]) {
		i++
	}
	key := s[k:i]
	i = skipSpace(s, i)
	return key, key != "" && i < len(s) && s[i] == '='
}

// unquoteKV returns a key=value DSN value without its quotes and escapes.
func unquoteKV(v string) string {
	v = strings.TrimPrefix(v, "'")
	if strings.HasSuffix(v, "'") && !strings.HasSuffix(v, `\'`) {
		v = v[:len(v)-1]
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
