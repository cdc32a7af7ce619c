package decree

import (
	"bytes"
	"encoding/base64"
	"io"
)

// b64Reader decodes base64 (RFC 2045 §6.8) leniently, as mail clients do:
// characters outside the base64 alphabet (line breaks, indentation, stray
// punctuation) are skipped, and "=" padding ends only its own 4-character
// quantum, so that encoded chunks joined together decode whole. An "="
// where padding cannot be (first or second of a quantum) is skipped, a
// quantum that still does not decode ("QQ=B") is dropped, and 2 or 3
// characters left at the end decode as an unpadded quantum. Whole runs of quanta are
// decoded by encoding/base64 at once.
type b64Reader struct {
	r    io.Reader
	in   []byte // read buffer
	pend []byte // alphabet characters and "=" not yet decoded
	out  []byte // decoded, not yet returned
	err  error  // read error after pend
}

func newB64Reader(r io.Reader) *b64Reader {
	return &b64Reader{r: r, in: make([]byte, 4096)}
}

func (b *b64Reader) Read(p []byte) (int, error) {
	for empty := 0; len(b.out) == 0; {
		if b.err != nil {
			return 0, b.err
		}
		n, err := b.r.Read(b.in)
		b.err = err
		for _, c := range b.in[:n] {
			if isB64[c] {
				b.pend = append(b.pend, c)
			}
		}
		b.out = b.decode(b.out[:0])
		if n == 0 && err == nil {
			if empty++; empty == 100 { // a reader that never progresses must not hang the check
				b.err = io.ErrNoProgress
			}
		}
	}
	n := copy(p, b.out)
	b.out = b.out[n:]
	return n, nil
}

// decode appends to dst what b.pend holds, keeping an incomplete last
// quantum until the input ends.
func (b *b64Reader) decode(dst []byte) []byte {
	pend := b.pend
	for len(pend) >= 4 {
		pad := bytes.IndexByte(pend, '=')
		if pad < 0 {
			pad = len(pend)
		}
		if n := pad / 4 * 4; n > 0 {
			dst = decodeQuanta(dst, pend[:n], base64.StdEncoding)
			pend = pend[n:]
			continue
		}
		if pad < 2 { // "=" cannot start a quantum's padding here: a stray one
			pend = append(pend[:pad], pend[pad+1:]...)
			continue
		}
		dst = decodeQuanta(dst, pend[:4], base64.StdEncoding)
		pend = pend[4:]
	}
	if b.err != nil && len(pend) >= 2 {
		dst = decodeQuanta(dst, bytes.TrimRight(pend, "="), base64.RawStdEncoding)
		pend = pend[:0]
	}
	b.pend = append(b.pend[:0], pend...)
	return dst
}

// decodeQuanta appends the decoding of src to dst; src that does not
// decode is dropped.
func decodeQuanta(dst, src []byte, enc *base64.Encoding) []byte {
	n := len(dst)
	dst = append(dst, make([]byte, enc.DecodedLen(len(src)))...)
	m, err := enc.Decode(dst[n:], src)
	if err != nil {
		return dst[:n]
	}
	return dst[:n+m]
}

// isB64 marks the base64 alphabet and its padding (RFC 4648 §4).
var isB64 = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") {
		t[c] = true
	}
	return t
}()
