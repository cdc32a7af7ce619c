package decree

import (
	"io"
	"sync"
)

// scratch recycles the byte buffers of readEnds and foldText.
var scratch = sync.Pool{New: func() any {
	b := make([]byte, 0, 64<<10)
	return &b
}}

// maxPooledBuf is the largest buffer put back into scratch; larger ones
// are left to the garbage collector.
const maxPooledBuf = 4 << 20

// putScratch returns buf, got as *bp from scratch, to the pool.
func putScratch(bp *[]byte, buf []byte) {
	if cap(buf) <= maxPooledBuf {
		*bp = buf[:0]
		scratch.Put(bp)
	}
}

// readEnds reads r and returns its first head and last tail decoded bytes
// (invalid UTF-8 left for folding to replace), rendered from HTML when
// html. It holds at most about 4×max(head, tail) bytes at a time; with
// tail 0 it stops reading after head bytes. A part that fits both limits
// is rendered once and returned as both. A read error ends the part; what
// was read is kept.
func readEnds(r io.Reader, head, tail int, html bool) (headText, tailText string) {
	if tail == 0 {
		r = io.LimitReader(r, int64(head))
	}
	bp := scratch.Get().(*[]byte)
	buf := (*bp)[:0]
	defer func() { putScratch(bp, buf) }()
	window := max(head, tail, 1)
	var start []byte // the first head bytes, once the window moved past them
	for empty := 0; empty < 100; {
		if len(buf) == cap(buf) {
			if len(buf) >= 2*window {
				if start == nil && head > 0 {
					start = append([]byte(nil), buf[:head]...)
				}
				buf = buf[:copy(buf, buf[len(buf)-window:])]
			} else {
				buf = append(buf, 0)[:len(buf)]
			}
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			break
		}
		if n == 0 {
			empty++ // a reader that never progresses must not hang the check
		}
	}
	if tail == 0 {
		return render(buf, html), "" // the LimitReader kept it to head bytes
	}
	if head == 0 {
		return "", render(buf[max(len(buf)-tail, 0):], html)
	}
	tailBuf := buf[max(len(buf)-tail, 0):]
	if start == nil && len(buf) <= head && len(buf) <= tail {
		text := render(buf, html)
		return text, text
	}
	if start == nil {
		start = append([]byte(nil), buf[:min(head, len(buf))]...) // renderHTML works in place
	}
	return render(start[:min(head, len(start))], html), render(tailBuf, html)
}

// render returns b as text: rendered when html (in place: b is scratch),
// else copied.
func render(b []byte, html bool) string {
	if len(b) == 0 {
		return ""
	}
	if html {
		return renderHTML(b)
	}
	return string(b)
}
