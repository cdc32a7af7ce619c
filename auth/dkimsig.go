package auth

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"unicode"
)

// readHeaderBlock reads the header section of a message up to and including
// the empty line that ends it. A message that ends inside its header gets
// the missing line end and empty line appended, so that it is verified as a
// message with an empty body instead of being unreadable.
func readHeaderBlock(br *bufio.Reader) ([]byte, error) {
	var buf bytes.Buffer
	for {
		line, err := br.ReadBytes('\n')
		buf.Write(line)
		if errors.Is(err, io.EOF) {
			if len(line) > 0 {
				buf.WriteString("\r\n")
			}
			buf.WriteString("\r\n")
			return buf.Bytes(), nil
		}
		if err != nil {
			return nil, err
		}
		if string(line) == "\r\n" || string(line) == "\n" {
			return buf.Bytes(), nil
		}
	}
}

// sigTags are the tags of one DKIM-Signature field (RFC 6376 §3.5), values
// with their whitespace removed. Malformed tags are skipped: go-msgauth
// reports the syntax error, these only fill the facts.
type sigTags map[string]string

// signatureTags returns the tags of every DKIM-Signature field of a header
// block, in header order. Fields are split exactly as go-msgauth splits them
// (a line starting with SP or HTAB continues the previous field; the name is
// the trimmed text before the first colon, compared case-insensitively), so
// that entry i belongs to the library's verification i.
func signatureTags(header []byte) []sigTags {
	var fields []string
	for _, line := range strings.Split(string(header), "\n") {
		line = strings.TrimSuffix(line, "\r")
		switch {
		case line == "":
			continue
		case len(fields) > 0 && (line[0] == ' ' || line[0] == '\t'):
			fields[len(fields)-1] += line
		default:
			fields = append(fields, line)
		}
	}
	var out []sigTags
	for _, f := range fields {
		name, value, _ := strings.Cut(f, ":")
		if strings.EqualFold(strings.TrimSpace(name), "DKIM-Signature") {
			out = append(out, parseSigTags(value))
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
