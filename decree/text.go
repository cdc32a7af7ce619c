package decree

import (
	"io"
	"mime"
	"strings"
	"sync"

	"github.com/emersion/go-message/textproto"

	"milter91/txn"
)

// MIME walking limits: deeper or further parts are not looked at.
const (
	maxDepth = 16
	maxParts = 256
)

// textPart is one decoded text body part.
type textPart struct {
	html bool
	// text is the part's last MaxTextBytes decoded bytes (UTF-8, maybe
	// invalid), rendered to text for HTML (see renderHTML).
	text string
}

// lastText returns the last text part of the message (what Art. 20.1.a
// calls the end of the email), as candidates in order of preference: in a
// multipart/alternative the text/plain alternative comes first and the
// text/html one second; in any other multipart the last child holding text
// wins. A part with Content-Disposition: attachment is not text; a leaf
// without Content-Type is text/plain (RFC 2045 §5.2). Malformed MIME yields
// what was decoded before the fault.
func lastText(t *txn.Transaction, maxBytes int) []textPart {
	return textParts(t, maxBytes, false)
}

// textParts walks t's MIME tree: the last text part as lastText describes,
// its last maxBytes, when !all; every text part in order, the first
// maxBytes of each, when all.
func textParts(t *txn.Transaction, maxBytes int, all bool) []textPart {
	var h textproto.Header
	for _, f := range t.Headers {
		switch strings.ToLower(f.Name) {
		case "content-type", "content-transfer-encoding", "content-disposition":
			h.Add(f.Name, strings.TrimSpace(unfold(f.Value)))
		}
	}
	body := io.Reader(strings.NewReader(""))
	if t.Body != nil {
		body = t.Body.Reader()
	}
	w := walker{max: maxBytes, all: all}
	return w.entity(h, body, 0)
}

// walker carries the limits through one MIME tree.
type walker struct {
	max   int  // bytes kept per part
	parts int  // entities visited
	all   bool // keep every text part, not the last one, and their heads (Links)
}

func (w *walker) entity(h textproto.Header, body io.Reader, depth int) []textPart {
	w.parts++
	mt, params := mediaType(h.Get("Content-Type"))
	if strings.HasPrefix(mt, "multipart/") {
		if depth >= maxDepth || params["boundary"] == "" {
			return nil
		}
		mr := textproto.NewMultipartReader(body, params["boundary"])
		return w.multipart(mr, mt == "multipart/alternative", depth)
	}
	if disp, _, _ := mime.ParseMediaType(h.Get("Content-Disposition")); disp == "attachment" {
		return nil
	}
	if mt != "text/plain" && mt != "text/html" {
		return nil
	}
	html := mt == "text/html"
	r := decodeBody(body, h.Get("Content-Transfer-Encoding"), params["charset"], html)
	if w.all {
		return []textPart{{html: html, text: readHead(r, w.max, html)}}
	}
	return []textPart{{html: html, text: readTail(r, w.max, html)}}
}

// mediaType parses a Content-Type value into its lower-case type and
// parameters: "text/plain" when the field is missing (RFC 2045 §5.2); when
// it is unparsable, the type before the ";" if it is a plausible
// type/subtype (parameters lost), else "text/plain".
func mediaType(v string) (string, map[string]string) {
	if strings.TrimSpace(v) == "" {
		return "text/plain", nil
	}
	mt, params, err := mime.ParseMediaType(v)
	if err == nil {
		return mt, params
	}
	raw, _, _ := strings.Cut(v, ";")
	raw = strings.ToLower(strings.TrimSpace(raw))
	if typ, sub, ok := strings.Cut(raw, "/"); ok && typ != "" && sub != "" && !strings.ContainsAny(raw, " \t\"") {
		return raw, nil
	}
	return "text/plain", nil
}

// multipart walks the children of one multipart entity, stopping at the
// first malformed boundary or header, or at the part limit.
func (w *walker) multipart(mr *textproto.MultipartReader, alternative bool, depth int) []textPart {
	var last, plain, rich []textPart
	for w.parts < maxParts {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		c := w.entity(p.Header, p, depth+1)
		switch {
		case w.all:
			last = append(last, c...)
		case len(c) == 0:
		case !alternative:
			last = c
		case !c[0].html:
			plain = c[:1]
		default:
			rich = c[len(c)-1:]
		}
	}
	if alternative && !w.all {
		return append(plain, rich...)
	}
	return last
}

// scratch recycles the byte buffers of readTail and foldText.
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

// readTail reads r to its end and returns the last max bytes (invalid
// UTF-8 left for folding to replace), rendered from HTML when html,
// holding at most about 4×max bytes at a time. A read error ends the
// part; what was read is kept.
func readTail(r io.Reader, max int, html bool) string {
	bp := scratch.Get().(*[]byte)
	buf := (*bp)[:0]
	defer func() { putScratch(bp, buf) }()
	for empty := 0; empty < 100; {
		if len(buf) == cap(buf) {
			if len(buf) >= 2*max {
				buf = buf[:copy(buf, buf[len(buf)-max:])]
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
	tail := buf
	if len(tail) > max {
		tail = tail[len(tail)-max:]
	}
	if html {
		return renderHTML(tail) // in place: buf is scratch
	}
	return string(tail)
}

// readHead returns the first max bytes r decodes to, rendered from HTML
// when html; the rest is not read.
func readHead(r io.Reader, max int, html bool) string {
	bp := scratch.Get().(*[]byte)
	buf := (*bp)[:0]
	defer func() { putScratch(bp, buf) }()
	lr := io.LimitReader(r, int64(max))
	for empty := 0; empty < 100; {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			break
		}
		if n == 0 {
			empty++
		}
	}
	if html {
		return renderHTML(buf)
	}
	return string(buf)
}

// unfold removes the line breaks of a folded header value (RFC 5322
// §2.2.3).
func unfold(v string) string {
	if !strings.ContainsAny(v, "\r\n") {
		return v
	}
	return strings.NewReplacer("\r\n", "", "\n", "", "\r", "").Replace(v)
}
