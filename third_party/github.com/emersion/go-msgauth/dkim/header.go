package dkim

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"sort"
	"strings"
)

const crlf = "\r\n"

type header []string

func readHeader(r *bufio.Reader) (header, error) {
	tr := textproto.NewReader(r)

	var h header
	// A field is built in its own buffer and added once it ends: appending
	// each continuation line to the field's string would copy the field
	// again for every line, quadratic in the number of lines.
	var field strings.Builder
	endField := func() {
		if field.Len() > 0 {
			h = append(h, field.String())
			field.Reset()
		}
	}
	for {
		l, err := tr.ReadLine()
		if err != nil {
			endField()
			return h, fmt.Errorf("failed to read header: %v", err)
		}

		if len(l) == 0 {
			break
		}
		if field.Len() == 0 || (l[0] != ' ' && l[0] != '\t') {
			// Not a continuation line: a new field starts
			endField()
		}
		field.WriteString(l)
		field.WriteString(crlf)
	}
	endField()

	return h, nil
}

func writeHeader(w io.Writer, h header) error {
	for _, kv := range h {
		if _, err := w.Write([]byte(kv)); err != nil {
			return err
		}
	}
	_, err := w.Write([]byte(crlf))
	return err
}

func foldHeaderField(kv string) string {
	buf := bytes.NewBufferString(kv)

	line := make([]byte, 75) // 78 - len("\r\n\s")
	first := true
	var fold strings.Builder
	for len, err := buf.Read(line); err != io.EOF; len, err = buf.Read(line) {
		if first {
			first = false
		} else {
			fold.WriteString("\r\n ")
		}
		fold.Write(line[:len])
	}

	return fold.String() + crlf
}

func parseHeaderField(s string) (string, string) {
	key, value, _ := strings.Cut(s, ":")
	return strings.TrimSpace(key), strings.TrimSpace(value)
}

func parseHeaderParams(s string) (map[string]string, error) {
	pairs := strings.Split(s, ";")
	params := make(map[string]string)
	for _, s := range pairs {
		key, value, ok := strings.Cut(s, "=")
		if !ok {
			if strings.TrimSpace(s) == "" {
				continue
			}
			return params, errors.New("dkim: malformed header params")
		}

		trimmedKey := strings.TrimSpace(key)
		_, present := params[trimmedKey]
		if present {
			return params, errors.New("dkim: duplicate tag name")
		}
		params[trimmedKey] = strings.TrimSpace(value)
	}
	return params, nil
}

func formatHeaderParams(headerFieldName string, params map[string]string) string {
	keys, bvalue, bfound := sortParams(params)

	s := headerFieldName + ":"
	var line string

	for _, k := range keys {
		v := params[k]
		nextLength := 3 + len(line) + len(v) + len(k)
		if nextLength > 75 {
			s += line + crlf
			line = ""
		}
		line = fmt.Sprintf("%v %v=%v;", line, k, v)
	}

	if line != "" {
		s += line
	}

	if bfound {
		bfiled := foldHeaderField(" b=" + bvalue)
		s += crlf + bfiled
	}

	return s
}

func sortParams(params map[string]string) ([]string, string, bool) {
	keys := make([]string, 0, len(params))
	bfound := false
	var bvalue string
	for k := range params {
		if k == "b" {
			bvalue = params["b"]
			bfound = true
		} else {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys, bvalue, bfound
}

type headerPicker struct {
	h header
	// byKey lists the indices in h of the fields of each lower-case key,
	// in header order; built on the first Pick.
	byKey  map[string][]int
	picked map[string]int
}

func newHeaderPicker(h header) *headerPicker {
	return &headerPicker{
		h:      h,
		picked: make(map[string]int),
	}
}

// Pick returns the last field named key (case-insensitive) that no earlier
// Pick of key returned, "" when there is none. The header is indexed once,
// so that picking k keys from n fields costs O(n + k), not O(n * k): the h=
// tag of a signature may list thousands of names.
func (p *headerPicker) Pick(key string) string {
	if p.byKey == nil {
		p.byKey = make(map[string][]int)
		for i, kv := range p.h {
			k, _ := parseHeaderField(kv)
			k = strings.ToLower(k)
			p.byKey[k] = append(p.byKey[k], i)
		}
	}

	key = strings.ToLower(key)
	at := p.picked[key]
	fields := p.byKey[key]
	if at >= len(fields) {
		return ""
	}
	p.picked[key]++
	return p.h[fields[len(fields)-1-at]]
}
