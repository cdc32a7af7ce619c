package rules

import (
	"fmt"
	"sort"
	"strings"
)

// placeholders are the names a reply text may use as {name}.
var placeholders = map[string]bool{
	"client_ip": true, "helo": true, "mail_from": true, "dmarc_domain": true,
	"spf_domain": true, "zone": true, "rule": true, "score": true,
	"missing_channels": true, "missing_info": true, "advertiser": true, "rcpt": true,
	"limit": true, "limit_max": true, "limit_window": true, "retry_after": true,
}

// maxPlaceholderLen caps one substituted value: an SMTP reply line is at
// most 512 octets (RFC 5321 §4.5.3.1.5) and most values come from the client.
const maxPlaceholderLen = 100

// template is a reply text split into literal parts and placeholders.
type template []tmplPart

type tmplPart struct {
	lit  string // literal text, when name is ""
	name string // placeholder name
}

// parseTemplate splits s at {name} placeholders; "{{" and "}}" stand for
// literal braces. Unknown names and unclosed braces are errors.
func parseTemplate(s string) (template, error) {
	var t template
	var lit strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case strings.HasPrefix(s[i:], "{{"), strings.HasPrefix(s[i:], "}}"):
			lit.WriteByte(s[i])
			i++
		case s[i] == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("unclosed { in reply text (write {{ for a literal brace)")
			}
			name := s[i+1 : i+end]
			if !placeholders[name] {
				return nil, fmt.Errorf("unknown placeholder {%s} (want one of %s)", name, placeholderList())
			}
			if lit.Len() > 0 {
				t = append(t, tmplPart{lit: lit.String()})
				lit.Reset()
			}
			t = append(t, tmplPart{name: name})
			i += end
		default:
			lit.WriteByte(s[i])
		}
	}
	if lit.Len() > 0 {
		t = append(t, tmplPart{lit: lit.String()})
	}
	return t, nil
}

func placeholderList() string {
	names := make([]string, 0, len(placeholders))
	for n := range placeholders {
		names = append(names, "{"+n+"}")
	}
	sort.Strings(names)
	return strings.Join(names, " ")
}

// render fills the placeholders with lookup(name), made safe for an SMTP
// reply: printable US-ASCII only (RFC 5321 §4.2), at most
// maxPlaceholderLen bytes each.
func (t template) render(lookup func(name string) string) string {
	var b strings.Builder
	for _, p := range t {
		if p.name == "" {
			b.WriteString(p.lit)
			continue
		}
		b.WriteString(replySafe(lookup(p.name)))
	}
	return b.String()
}

// replySafe replaces every byte outside printable US-ASCII with '?' and
// cuts the result to maxPlaceholderLen bytes.
func replySafe(s string) string {
	if len(s) > maxPlaceholderLen {
		s = s[:maxPlaceholderLen]
	}
	out := []byte(s)
	for i, c := range out {
		if c < 0x20 || c > 0x7e {
			out[i] = '?'
		}
	}
	return string(out)
}
