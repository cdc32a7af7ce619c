package dkim

import (
	"bytes"
	"strings"
	"testing"
)

// relaxedBodyCases are RFC 6376 §3.4.4 applied by hand, with lone CRs and
// LFs (a lone LF counts as a line break, a lone CR is kept).
var relaxedBodyCases = []struct{ original, canonical string }{
	{"Hey\nyou\n\n", "Hey\r\nyou\r\n"},
	{"a \t\n \tb", "a\r\n b\r\n"},
	{"a\rb", "a\rb\r\n"},
	{"a\r\r\nb\r", "a\r\r\nb\r\n"},
	{"\t \t", ""},
	{"x" + strings.Repeat(" ", 5000) + "y", "x y\r\n"},
	{strings.Repeat("z", 9000) + " \r\n", strings.Repeat("z", 9000) + "\r\n"},
}

// TestRelaxedCanonicalizer_CanonicalBody_anySplit writes each body in two
// pieces, cut at every offset: the result never depends on where the
// writes end.
func TestRelaxedCanonicalizer_CanonicalBody_anySplit(t *testing.T) {
	cases := relaxedBodyCases
	for _, c := range relaxedCanonicalizerBodyTests {
		cases = append(cases, struct{ original, canonical string }{c.original, c.canonical})
	}
	for _, tc := range cases {
		step := 1
		if len(tc.original) > 100 {
			step = 97
		}
		for cut := 0; cut <= len(tc.original); cut += step {
			if got := relaxedBody(t, tc.original[:cut], tc.original[cut:]); got != tc.canonical {
				t.Errorf("%.40q cut at %d: got %.40q, want %.40q", tc.original, cut, got, tc.canonical)
			}
		}
	}
}

// TestRelaxedCanonicalizer_CanonicalBody_writeReturn: Write reports the
// bytes it took, not the canonical bytes it wrote.
func TestRelaxedCanonicalizer_CanonicalBody_writeReturn(t *testing.T) {
	var b bytes.Buffer
	wc := new(relaxedCanonicalizer).CanonicalizeBody(&b)
	if n, err := wc.Write([]byte("a   b\n\n")); n != 7 || err != nil {
		t.Fatalf("Write = %d, %v; want 7, nil", n, err)
	}
}

func relaxedBody(t *testing.T, pieces ...string) string {
	t.Helper()
	var b bytes.Buffer
	wc := new(relaxedCanonicalizer).CanonicalizeBody(&b)
	for _, p := range pieces {
		if _, err := wc.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	if err := wc.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// relaxedBodyReference is the canonicalizer as it was before it copied
// runs of ordinary bytes (one pass to fix lone LFs, one byte at a time):
// the fuzz target's oracle.
func relaxedBodyReference(pieces ...[]byte) string {
	var out []byte
	var crlfBuf []byte
	var fixer crlfFixer
	wsp, written := false, false
	for _, p := range pieces {
		for _, ch := range fixer.Fix(p) {
			switch {
			case ch == ' ' || ch == '\t':
				wsp = true
			case ch == '\r' || ch == '\n':
				wsp = false
				crlfBuf = append(crlfBuf, ch)
			default:
				out = append(out, crlfBuf...)
				crlfBuf = crlfBuf[:0]
				if wsp {
					out = append(out, ' ')
					wsp = false
				}
				out = append(out, ch)
				written = true
			}
		}
	}
	if written {
		out = append(out, crlf...)
	}
	return string(out)
}

func FuzzRelaxedBodyCanonicalizer(f *testing.F) {
	for _, tc := range relaxedBodyCases {
		f.Add([]byte(tc.original), uint16(len(tc.original)/2))
	}
	f.Add([]byte("a\r\n\r\n \t b \r"), uint16(3))
	f.Fuzz(func(t *testing.T, body []byte, cut uint16) {
		c := int(cut) % (len(body) + 1)
		want := relaxedBodyReference(body[:c], body[c:])
		if got := relaxedBody(t, string(body[:c]), string(body[c:])); got != want {
			t.Fatalf("%q cut at %d: got %q, want %q", body, c, got, want)
		}
	})
}

// BenchmarkRelaxedCanonicalizer_body: 64 KiB of prose with trailing
// spaces, in the 4 KiB writes of a bufio.Reader.
func BenchmarkRelaxedCanonicalizer_body(b *testing.B) {
	line := "The quick brown fox  jumps over\tthe lazy dog, again and again. \r\n"
	body := []byte(strings.Repeat(line, 65536/len(line)))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		wc := new(relaxedCanonicalizer).CanonicalizeBody(discard{})
		for p := body; len(p) > 0; {
			n := 4096
			if n > len(p) {
				n = len(p)
			}
			wc.Write(p[:n])
			p = p[n:]
		}
		wc.Close()
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
