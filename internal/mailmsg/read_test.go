package mailmsg

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestReadHeader(t *testing.T) {
	long := strings.Repeat("x", 5000) // longer than the 16-byte buffer of the test's reader
	tests := []struct {
		name   string
		in     string
		fields []Field
		body   string // first body line returned
		rest   string // left in the reader
	}{
		{
			name:   "LF to CRLF, folding kept, empty line ends the block",
			in:     "From: a@example.com\nSubject: one\n two\n\tthree\n\nline1\n",
			fields: []Field{{"From", " a@example.com"}, {"Subject", " one\r\n two\r\n\tthree"}},
			rest:   "line1\n",
		},
		{
			name:   "CRLF, no space after the colon, no body",
			in:     "X:y\r\nY:\r\n\r\n",
			fields: []Field{{"X", "y"}, {"Y", ""}},
		},
		{
			name:   "a line that is no field starts the body",
			in:     "A: 1\nthis is not a header\nmore\n",
			fields: []Field{{"A", " 1"}},
			body:   "this is not a header\r\n",
			rest:   "more\n",
		},
		{
			name:   "empty name starts the body",
			in:     ":empty name",
			fields: nil,
			body:   ":empty name",
		},
		{
			name:   "a space in the name starts the body",
			in:     "A: 1\nBad Name: x\n",
			fields: []Field{{"A", " 1"}},
			body:   "Bad Name: x\r\n",
		},
		{
			name: "leading continuation line starts the body",
			in:   " leading\nA: b\n",
			body: " leading\r\n",
			rest: "A: b\n",
		},
		{
			name:   "trailing CRs dropped, a mid-line CR kept",
			in:     "A: b\r\r\n\tfo\rld\r\n\r\n",
			fields: []Field{{"A", " b\r\n\tfo\rld"}},
		},
		{
			name:   "end of input inside a field",
			in:     "A: b\n c",
			fields: []Field{{"A", " b\r\n c"}},
		},
		{
			name:   "8-bit bytes and a line longer than the buffer",
			in:     "Subject: Khuy\xe1\xba\xbfn " + long + "\n " + long + "\n\n",
			fields: []Field{{"Subject", " Khuy\xe1\xba\xbfn " + long + "\r\n " + long}},
		},
		{
			name: "empty input",
			in:   "",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			br := bufio.NewReaderSize(strings.NewReader(tc.in), 16)
			fields, body, err := ReadHeader(br)
			if err != nil {
				t.Fatal(err)
			}
			if len(fields) != len(tc.fields) {
				t.Fatalf("fields %q, want %q", fields, tc.fields)
			}
			for i := range fields {
				if fields[i] != tc.fields[i] {
					t.Errorf("field %d = %q, want %q", i, fields[i], tc.fields[i])
				}
			}
			if string(body) != tc.body {
				t.Errorf("body line %q, want %q", body, tc.body)
			}
			if rest, _ := io.ReadAll(br); string(rest) != tc.rest {
				t.Errorf("left in the reader %q, want %q", rest, tc.rest)
			}
		})
	}
}

func TestReadHeaderReadError(t *testing.T) {
	errRead := errors.New("disk gone")
	r := io.MultiReader(strings.NewReader("A: b\n c"), iotest.ErrReader(errRead))
	if _, _, err := ReadHeader(bufio.NewReader(r)); !errors.Is(err, errRead) {
		t.Fatalf("err %v, want the read error", err)
	}
}

func TestUnfold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{" plain", " plain"},
		{" one\r\n two\r\n\tthree", " one two\tthree"},
		{" stray\rCR and\nLF\r\n", " strayCR andLF"},
		{"\r\n\r\n", ""},
	}
	for _, tc := range tests {
		if got := Unfold(tc.in); got != tc.want {
			t.Errorf("Unfold(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestValidName(t *testing.T) {
	for name, want := range map[string]bool{
		"Subject": true, "X-A.b_c!~": true, "": false, "A B": false, "A:B": false,
		"Caf\xc3\xa9": false, "A\tB": false, "\x7f": false,
	} {
		if got := ValidName(name); got != want {
			t.Errorf("ValidName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestAppendBlock(t *testing.T) {
	in := "From: a\r\nSubject: one\r\n two\r\n\r\n"
	fields, _, err := ReadHeader(bufio.NewReader(strings.NewReader(in + "body\r\n")))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(AppendBlock([]byte("x"), fields)); got != "x"+in {
		t.Errorf("AppendBlock = %q, want %q", got, "x"+in)
	}
	if got := string(AppendBlock(nil, nil)); got != "\r\n" {
		t.Errorf("AppendBlock of no fields = %q, want the empty line", got)
	}
}

func TestIndex(t *testing.T) {
	fields := []Field{{"Received", "1"}, {"From", "f"}, {"received", "2"}, {"RECEIVED", "3"}}
	x := IndexFields(fields)
	for _, tc := range []struct {
		name string
		n    int
		want int
	}{
		{"Received", 1, 0}, {"received", 2, 2}, {"rEcEiVeD", 3, 3}, {"Received", 4, -1},
		{"Received", 0, -1}, {"from", 1, 1}, {"To", 1, -1},
	} {
		if got := x.Nth(tc.name, tc.n); got != tc.want {
			t.Errorf("Nth(%q, %d) = %d, want %d", tc.name, tc.n, got, tc.want)
		}
	}
}

// ReadHeaderLimits stops at the first field past a limit, counting each
// field as name ":" value CRLF as the milter session does, and never holds
// more than the byte limit of one line: /dev/zero, one line without end,
// grew `milter91 check` to 880 MB.
func TestReadHeaderLimits(t *testing.T) {
	field := "X-A: 123456789\r\n" // 16 bytes counted
	tests := []struct {
		name    string
		in      string
		limits  Limits
		fields  int
		wantErr error
	}{
		{name: "no limits", in: strings.Repeat(field, 1000) + "\r\nbody", fields: 1000},
		{name: "exactly the bytes", in: strings.Repeat(field, 10) + "\r\n", limits: Limits{Bytes: 160}, fields: 10},
		{name: "one byte over", in: strings.Repeat(field, 10) + "\r\n", limits: Limits{Bytes: 159}, fields: 9, wantErr: ErrHeaderBytes},
		{name: "exactly the fields", in: strings.Repeat(field, 10) + "\r\n", limits: Limits{Fields: 10}, fields: 10},
		{name: "one field over", in: strings.Repeat(field, 11) + "\r\n", limits: Limits{Fields: 10}, fields: 10, wantErr: ErrHeaderFields},
		{name: "folded past the bytes", in: "X-A: b" + strings.Repeat("\r\n b", 100) + "\r\n\r\n", limits: Limits{Bytes: 200}, wantErr: ErrHeaderBytes},
		{name: "a line without end", in: "X-A: " + strings.Repeat("\x00", 1<<20), limits: Limits{Bytes: 1000}, wantErr: ErrHeaderBytes},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &countingReader{r: strings.NewReader(tc.in)}
			fields, _, err := ReadHeaderLimits(bufio.NewReaderSize(r, 16), tc.limits)
			if !errors.Is(err, tc.wantErr) || len(fields) != tc.fields {
				t.Fatalf("got %d fields, %v; want %d, %v", len(fields), err, tc.fields, tc.wantErr)
			}
			if tc.limits.Bytes > 0 && r.n > tc.limits.Bytes+64 {
				t.Errorf("read %d bytes for a limit of %d", r.n, tc.limits.Bytes)
			}
		})
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
