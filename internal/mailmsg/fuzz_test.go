package mailmsg

import (
	"bufio"
	"bytes"
	"slices"
	"strings"
	"testing"
)

// crlfLines ends every line of in with CRLF, as ReadHeader does: a line's
// trailing CRs are dropped, and a last line without LF gets a CRLF too.
func crlfLines(in string) string {
	lines := strings.Split(in, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(strings.TrimRight(l, "\r"))
		b.WriteString("\r\n")
	}
	return b.String()
}

// FuzzReadHeader checks that ReadHeader never panics, loses or invents no
// header byte (the fields rebuilt as Name ":" Value CRLF, then the first
// body line, are the start of the input with its line ends made CRLF),
// gives valid names and values whose only line breaks are CRLF before a
// continuation line, reads the same with the smallest buffer, and that
// Unfold and the Index agree with the fields.
func FuzzReadHeader(f *testing.F) {
	f.Fuzz(func(t *testing.T, in []byte) {
		fields, body, err := ReadHeader(bufio.NewReader(bytes.NewReader(in)))
		if err != nil {
			t.Fatalf("ReadHeader: %v", err)
		}
		small, smallBody, _ := ReadHeader(bufio.NewReaderSize(bytes.NewReader(in), 16))
		if !slices.Equal(fields, small) || !bytes.Equal(body, smallBody) {
			t.Fatalf("a 16-byte buffer reads %q %q, the default one %q %q", small, smallBody, fields, body)
		}
		rebuilt := string(AppendBlock(nil, fields))
		rebuilt = rebuilt[:len(rebuilt)-2] + string(body)
		if norm := crlfLines(string(in)); !strings.HasPrefix(norm, rebuilt) {
			t.Fatalf("rebuilt %q is not the start of the input %q", rebuilt, norm)
		}
		checkLimits(t, in, fields, body)
		x := IndexFields(fields)
		seen := map[string]int{}
		for i, fl := range fields {
			checkField(t, fl)
			seen[strings.ToLower(fl.Name)]++
			if got := x.Nth(fl.Name, seen[strings.ToLower(fl.Name)]); got != i {
				t.Fatalf("Nth(%q, %d) = %d, want %d", fl.Name, seen[strings.ToLower(fl.Name)], got, i)
			}
		}
	})
}

// checkField: a valid name, line breaks only as CRLF + WSP, none after
// Unfold.
func checkField(t *testing.T, f Field) {
	t.Helper()
	if !ValidName(f.Name) {
		t.Fatalf("invalid name %q", f.Name)
	}
	v := f.Value
	for i := strings.IndexByte(v, '\n'); i >= 0; i = strings.IndexByte(v, '\n') {
		if i == 0 || v[i-1] != '\r' || i+1 == len(v) || (v[i+1] != ' ' && v[i+1] != '\t') {
			t.Fatalf("value %q: a line break that is not CRLF before a continuation line", f.Value)
		}
		v = v[i+1:]
	}
	if strings.HasSuffix(f.Value, "\r") {
		t.Fatalf("value %q ends in CR", f.Value)
	}
	if u := Unfold(f.Value); strings.ContainsAny(u, "\r\n") || len(u) > len(f.Value) {
		t.Fatalf("Unfold(%q) = %q", f.Value, u)
	}
}

// FuzzParseFrom checks that a From field value never panics the parser,
// that the status is defined and agrees with the result, and that every
// address is local@domain with a lower-case domain.
func FuzzParseFrom(f *testing.F) {
	f.Fuzz(func(t *testing.T, value string) {
		from := ParseFrom([]string{value})
		switch from.Status {
		case FromOK:
			if len(from.Addresses) == 0 || from.Err != "" {
				t.Fatalf("ok with %+v", from)
			}
		case FromEmpty:
			if len(from.Addresses) != 0 || from.Err != "" {
				t.Fatalf("empty with %+v", from)
			}
		case FromUnparsable:
			if len(from.Addresses) != 0 || from.Err == "" {
				t.Fatalf("unparsable with %+v", from)
			}
		default:
			t.Fatalf("status %q for one field", from.Status)
		}
		for _, a := range from.Addresses {
			at := strings.LastIndexByte(a.Addr, '@')
			if at < 0 || a.Domain() != strings.ToLower(a.Domain()) {
				t.Fatalf("address %q", a.Addr)
			}
		}
	})
}

// FuzzParseDomain checks that ParseDomain never panics and that what it
// returns is a fixed point: lower-case ASCII without a trailing dot that
// parses to itself.
func FuzzParseDomain(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDomain(s)
		if err != nil {
			return
		}
		if d.ASCII == "" || !isASCII(d.ASCII) || d.ASCII != strings.ToLower(d.ASCII) || strings.HasSuffix(d.ASCII, ".") {
			t.Fatalf("ParseDomain(%q) = %+v", s, d)
		}
		again, err := ParseDomain(d.ASCII)
		if err != nil || again.ASCII != d.ASCII {
			t.Fatalf("ParseDomain(%q) = %+v, then %+v, %v", s, d, again, err)
		}
		if org, _ := OrgDomain(d); !strings.HasSuffix("."+d.ASCII, "."+org.ASCII) {
			t.Fatalf("OrgDomain(%+v) = %+v, not a suffix", d, org)
		}
	})
}

// FuzzDecodeHeader checks that DecodeHeader never panics and leaves a
// value without an encoded word unchanged.
func FuzzDecodeHeader(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		out := DecodeHeader(s)
		if !strings.Contains(s, "=?") && out != s {
			t.Fatalf("DecodeHeader(%q) = %q, want it unchanged", s, out)
		}
	})
}

// checkLimits reads in again within limits a little below what its header
// needs: the fields are the unlimited ones (all, then body) up to the
// first that passes a limit, their size within it, and the error names
// the limit passed.
func checkLimits(t *testing.T, in []byte, all []Field, body []byte) {
	t.Helper()
	size := int64(len(AppendBlock(nil, all))) - 2
	for _, lim := range []Limits{{Bytes: max(size-int64(len(in)%7), 1)}, {Fields: max(len(all)-1, 1)}} {
		got, _, err := ReadHeaderLimits(bufio.NewReaderSize(bytes.NewReader(in), 16), lim)
		if !slices.Equal(got, all[:len(got)]) {
			t.Fatalf("limits %+v: fields %q are not the start of %q", lim, got, all)
		}
		n := int64(len(AppendBlock(nil, got))) - 2
		switch {
		case lim.Bytes > 0 && n > lim.Bytes, lim.Fields > 0 && len(got) > lim.Fields:
			t.Fatalf("limits %+v: %d fields of %d bytes", lim, len(got), n)
		case len(got) < len(all) && err != ErrHeaderBytes && err != ErrHeaderFields:
			t.Fatalf("limits %+v: %d of %d fields, error %v", lim, len(got), len(all), err)
		case len(got) == len(all) && err != nil && !(err == ErrHeaderBytes && len(body) > 0 && validName(body[:1])):
			// A long first body line passes the limit while it could
			// still be a field name.
			t.Fatalf("limits %+v: all fields, error %v", lim, err)
		}
	}
}
