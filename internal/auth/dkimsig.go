package auth

import (
	"strings"
	"unicode"

	"milter91/internal/mailmsg"
)

// sigTags are the tags of one DKIM-Signature field (RFC 6376 §3.5), values
// with their whitespace removed. Malformed tags are skipped: go-msgauth
// reports the syntax error, these only fill the facts.
type sigTags map[string]string

// signatureTags returns the tags of every DKIM-Signature field among
// fields, in header order. go-msgauth verifies the same fields
// (VerifyDKIMFields hands it exactly these, rebuilt), so that entry i
// belongs to the library's verification i.
func signatureTags(fields []mailmsg.Field) []sigTags {
	var out []sigTags
	for _, f := range fields {
		if strings.EqualFold(f.Name, "DKIM-Signature") {
			out = append(out, parseSigTags(mailmsg.Unfold(f.Value)))
		}
	}
	return out
}

// signedFields returns the fields a verification of tags can read: the
// DKIM-Signature fields and those named in an h= tag (RFC 6376 §3.5,
// compared case-insensitively, §3.7), in header order. The header hash
// covers only those, so the others cannot change a result, and leaving
// them out keeps go-msgauth from reading megabytes of unsigned fields.
func signedFields(fields []mailmsg.Field, tags []sigTags) []mailmsg.Field {
	names := map[string]bool{"dkim-signature": true}
	for _, t := range tags {
		for n := range strings.SplitSeq(t["h"], ":") {
			names[strings.ToLower(n)] = true
		}
	}
	keep := map[string]bool{} // by the name as written: names repeat
	var out []mailmsg.Field
	for _, f := range fields {
		k, seen := keep[f.Name]
		if !seen {
			k = names[strings.ToLower(f.Name)]
			keep[f.Name] = k
		}
		if k {
			out = append(out, f)
		}
	}
	return out
}

func parseSigTags(value string) sigTags {
	tags := sigTags{}
	for _, part := range strings.Split(value, ";") {
		k, v, ok := strings.Cut(part, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			continue
		}
		if _, dup := tags[k]; !dup {
			tags[k] = stripSpace(v)
		}
	}
	return tags
}

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
