package ctxio

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// cancelAfter cancels its context once n bytes were written to it.
type cancelAfter struct {
	n       int
	cancel  context.CancelFunc
	got     bytes.Buffer
	largest int // the longest Write
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	c.largest = max(c.largest, len(p))
	c.got.Write(p)
	if c.got.Len() >= c.n {
		c.cancel()
	}
	return len(p), nil
}

// WriteTo stops at the first piece after the context ends: of a 5-piece
// body, a writer that cancels after the second piece gets two pieces and
// the context's error, through the source's WriteTo (bytes.Reader) and
// through a plain Reader.
func TestWriteToStopsAtContextEnd(t *testing.T) {
	data := bytes.Repeat([]byte("x"), 5*Piece)
	for name, src := range map[string]func() io.Reader{
		"WriterTo":     func() io.Reader { return bytes.NewReader(data) },
		"plain Reader": func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) },
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			w := &cancelAfter{n: 2 * Piece, cancel: cancel}
			n, err := io.Copy(w, NewReader(ctx, src()))
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err %v, want context.Canceled", err)
			}
			if n != int64(w.got.Len()) || n < 2*Piece || n > 3*Piece {
				t.Errorf("copied %d bytes (writer got %d), want 2 to 3 pieces of %d", n, w.got.Len(), Piece)
			}
		})
	}
}

// WriteTo of a live context copies everything, in pieces of at most Piece.
func TestWriteToCopiesAll(t *testing.T) {
	data := strings.Repeat("0123456789", Piece/4)
	w := &cancelAfter{n: len(data) + 1, cancel: func() {}}
	n, err := io.Copy(w, NewReader(context.Background(), strings.NewReader(data)))
	if err != nil || n != int64(len(data)) || w.got.String() != data {
		t.Fatalf("copied %d bytes, %v; want all %d", n, err, len(data))
	}
	if w.largest != Piece {
		t.Errorf("longest write %d bytes, want %d", w.largest, Piece)
	}
}

// Read fails with the context's cause once it ends, before reading.
func TestReadAfterContextEnd(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	r := NewReader(ctx, strings.NewReader("abc"))
	p := make([]byte, 2)
	if n, err := r.Read(p); n != 2 || err != nil {
		t.Fatalf("Read = %d, %v; want 2 bytes", n, err)
	}
	stop := errors.New("message deadline")
	cancel(stop)
	if n, err := r.Read(p); n != 0 || !errors.Is(err, stop) {
		t.Fatalf("Read after cancel = %d, %v; want 0 and the cause", n, err)
	}
}
