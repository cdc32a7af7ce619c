// Package ctxio stops reads when a context ends: a check reading a large
// message notices the message deadline between two pieces of it, so that
// no goroutine goes on burning CPU for a message already answered.
package ctxio

import (
	"context"
	"io"
)

// Piece is the most NewReader's WriteTo hands to one Write: at most this
// much work (hashing, decoding) is done after the context ends.
const Piece = 1 << 20

// NewReader returns r reading until ctx ends; from then on every Read
// fails with context.Cause(ctx) (context.DeadlineExceeded past a
// deadline). Its WriteTo copies r's data in Writes of at most Piece bytes,
// checking ctx before each, and uses r's own WriteTo when it has one (no
// buffer of its own for a bytes.Reader).
func NewReader(ctx context.Context, r io.Reader) io.Reader {
	return &reader{ctx: ctx, r: r}
}

type reader struct {
	ctx context.Context
	r   io.Reader
}

func (c *reader) Read(p []byte) (int, error) {
	if c.ctx.Err() != nil {
		return 0, context.Cause(c.ctx)
	}
	return c.r.Read(p)
}

// WriteTo copies the rest of the data to w, see NewReader.
func (c *reader) WriteTo(w io.Writer) (int64, error) {
	return io.Copy(&writer{ctx: c.ctx, w: w}, c.r)
}

// writer splits Writes into pieces and fails once ctx has ended.
type writer struct {
	ctx context.Context
	w   io.Writer
}

func (c *writer) Write(p []byte) (int, error) {
	done := 0
	for len(p) > 0 {
		if c.ctx.Err() != nil {
			return done, context.Cause(c.ctx)
		}
		n, err := c.w.Write(p[:min(len(p), Piece)])
		done += n
		if err != nil {
			return done, err
		}
		p = p[n:]
	}
	return done, nil
}
