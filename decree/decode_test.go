package decree

import (
	"bytes"
	"encoding/base64"
	"io"
	"math/rand/v2"
	"mime/quotedprintable"
	"strings"
	"testing"
	"testing/iotest"
)

// TestQPReaderMatchesStdlib encodes random bodies with the standard
// library's writer and checks that qpReader decodes them back, through
// readers that hand out one byte or half the request at a time, so that
// "=XX", soft line breaks and CRLF split across reads.
func TestQPReaderMatchesStdlib(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("aZ09 =\t\r\n\xc3\xa1\xe1\xbb\x87.-_")
	for round := range 200 {
		plain := make([]byte, rng.IntN(3*qpBufSize))
		for i := range plain {
			plain[i] = alphabet[rng.IntN(len(alphabet))]
		}
		var enc bytes.Buffer
		w := quotedprintable.NewWriter(&enc)
		if _, err := w.Write(plain); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		want, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(enc.Bytes())))
		if err != nil {
			t.Fatal(err)
		}
		for name, r := range map[string]io.Reader{
			"whole":    bytes.NewReader(enc.Bytes()),
			"one byte": iotest.OneByteReader(bytes.NewReader(enc.Bytes())),
			"half":     iotest.HalfReader(bytes.NewReader(enc.Bytes())),
		} {
			got, err := io.ReadAll(newQPReader(r))
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("round %d, %s reader: err %v, decoded %d bytes, want %d", round, name, err, len(got), len(want))
			}
		}
	}
}

// TestQPReaderLenient covers input the standard library refuses.
func TestQPReaderLenient(t *testing.T) {
	long := strings.Repeat("x", 3*qpBufSize)
	cases := []struct{ name, in, want string }{
		{name: "stray equals", in: "a=b =G1 c=", want: "a=b =G1 c"},
		{name: "lower-case hex", in: "=c3=a1", want: "\xc3\xa1"},
		{name: "soft break with trailing white space", in: "a= \t\r\nb=\nc", want: "abc"},
		{name: "bare CR ends a line", in: "a=\rb", want: "ab"},
		{name: "equals and one hex digit at the end", in: "ab=4", want: "ab=4"},
		{name: "soft break at the end", in: "ab=  ", want: "ab"},
		{name: "escape after a line longer than the buffer", in: long + "=41" + long + "=\r\nB", want: long + "A" + long + "B"},
		{name: "white space longer than the buffer", in: "a=" + strings.Repeat(" ", 2*qpBufSize) + "b", want: "a=" + strings.Repeat(" ", 2*qpBufSize) + "b"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(tc.in), iotest.OneByteReader(strings.NewReader(tc.in))} {
				got, err := io.ReadAll(newQPReader(r))
				if err != nil || string(got) != tc.want {
					t.Fatalf("decoded %q (err %v), want %q", trimmed(string(got)), err, trimmed(tc.want))
				}
			}
		})
	}
}

// TestQPReaderStalls checks that a reader returning no bytes and no error
// for ever ends the decoding with an error instead of a hang.
func TestQPReaderStalls(t *testing.T) {
	if _, err := io.ReadAll(newQPReader(stallReader{})); err != io.ErrNoProgress {
		t.Fatalf("err %v, want io.ErrNoProgress", err)
	}
}

type stallReader struct{}

func (stallReader) Read([]byte) (int, error) { return 0, nil }

func trimmed(s string) string {
	if len(s) > 40 {
		return s[:20] + "…" + s[len(s)-20:]
	}
	return s
}

func TestB64ReaderLenient(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{name: "lines and indentation", in: "SOG7\r\n  p3kg\r\n\tZGFuZw==", want: "Hủy dang"},
		{name: "stray characters skipped", in: "SOG7!p3kg*ZGFuZw==", want: "Hủy dang"},
		{name: "joined padded chunks", in: "QQ==\r\nQkM=\r\nRA==", want: "ABCD"},
		{name: "unpadded end", in: "QUJDRA", want: "ABCD"},
		{name: "stray padding dropped", in: "QUJD=QUJDQUJD", want: "ABCABCABC"},
		{name: "malformed quantum dropped", in: "QUJDQQ=BQUJD", want: "ABCABC"},
		{name: "empty", in: "", want: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(tc.in), iotest.OneByteReader(strings.NewReader(tc.in))} {
				got, err := io.ReadAll(newB64Reader(r))
				if err != nil || string(got) != tc.want {
					t.Fatalf("decoded %q (err %v), want %q", got, err, tc.want)
				}
			}
		})
	}
}

// TestB64ReaderMatchesStdlib: well-formed base64 decodes as
// encoding/base64 does, through one-byte reads.
func TestB64ReaderMatchesStdlib(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 50 {
		plain := make([]byte, rng.IntN(10000))
		for i := range plain {
			plain[i] = byte(rng.IntN(256))
		}
		enc := base64.StdEncoding.EncodeToString(plain)
		var lines strings.Builder
		for len(enc) > 76 {
			lines.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		lines.WriteString(enc)
		got, err := io.ReadAll(newB64Reader(iotest.HalfReader(strings.NewReader(lines.String()))))
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("decoded %d bytes (err %v), want %d", len(got), err, len(plain))
		}
	}
}

func TestMetaCharset(t *testing.T) {
	body := "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1258\"></head>" +
		"<body>Ch\xfang t\xf4i: \xf0\xe3ng k\xfd</body></html>" // windows-1258 bytes
	cases := []struct {
		name, cs, in, want string
		html               bool
	}{
		{name: "meta charset honoured", in: body, html: true, want: "Chúng tôi: đăng"},
		{name: "parameter wins over meta", cs: "utf-8", in: body, html: true, want: "\xf0\xe3ng"},
		{name: "plain text has no meta", in: body, want: "\xf0\xe3ng"},
		{name: "no meta: as it is", in: "<p>Hủy đăng ký</p>", html: true, want: "Hủy đăng ký"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := io.ReadAll(decodeBody(strings.NewReader(tc.in), "8bit", tc.cs, tc.html))
			if err != nil || !strings.Contains(string(got), tc.want) {
				t.Errorf("decoded %q (err %v), want it to contain %q", got, err, tc.want)
			}
		})
	}
}
