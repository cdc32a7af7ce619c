package decree

import (
	"context"
	"io"
	"mime"
	"strings"

	"github.com/emersion/go-message/textproto"

	"milter91/internal/ctxio"
	"milter91/internal/mailmsg"
)

// MIME walking limits: deeper or further parts are not looked at, and the
// walk ends at a part whose header is longer than maxPartHeader bytes
// (a part header holds a few fields; without the bound a 16 MB body of
// one part header of two million short lines took 1 GB to read).
const (
	maxDepth      = 16
	maxParts      = 256
	maxPartHeader = 64 << 10
)

// textPart is one decoded text body part.
type textPart struct {
	html bool
	// text is the part's last decoded bytes (UTF-8, maybe invalid; at most
	// the Body's tail limit), head its first (at most the head limit);
	// both rendered to text for HTML (see renderHTML).
	text, head string
}

// Body is the decoded text of one message, read once and shared by the
// Decree 91 analysis and the link extraction: the candidates for the
// last text part (Art. 20.1.a, see AnalyzeBody) with their tails, and
// every text part with its head (see Links). Read it with ReadBody.
type Body struct {
	last  []textPart // the last-text-part candidates, in order of preference
	all   []textPart // every text part, in order
	parts []Part     // every entity walked, in tree order
}

// ReadBody walks the MIME tree of the message with header v and body
// (CRLF line ends, as txn.Transaction.BodyReader gives it) once and decodes each text part once,
// keeping its last tailBytes and its first headBytes of decoded text (0:
// none; a part is not read past headBytes when tailBytes is 0). The last
// text part is chosen as the decree analysis needs it: in a
// multipart/alternative the text/plain alternative comes first and the
// text/html one second; in any other multipart the last child holding text
// wins. A part with Content-Disposition: attachment is not text; a leaf
// without Content-Type is text/plain (RFC 2045 §5.2). Malformed MIME yields
// what was decoded before the fault, and a panic inside the MIME, charset
// or HTML libraries an empty Body, so that a malformed body cannot turn
// into a check failure (and the fail mode) for ever. Reading stops when ctx
// ends (the message deadline): the Body then holds what was decoded so far.
func ReadBody(ctx context.Context, v *mailmsg.View, body io.Reader, tailBytes, headBytes int) (b *Body) {
	defer func() {
		if recover() != nil {
			b = &Body{}
		}
	}()
	if v == nil || body == nil {
		return &Body{}
	}
	var h textproto.Header
	for _, name := range []string{"Content-Type", "Content-Transfer-Encoding", "Content-Disposition"} {
		for _, val := range v.Values(name) {
			h.Add(name, strings.TrimSpace(val))
		}
	}
	body = ctxio.NewReader(ctx, body)
	w := walker{tail: max(tailBytes, 0), head: max(headBytes, 0)}
	got := w.entity(h, body, 0)
	return &Body{last: got.last, all: got.all, parts: w.shape}
}

// walker carries the limits through one MIME tree.
type walker struct {
	tail, head int    // bytes kept per part at its end and at its start
	parts      int    // entities visited
	shape      []Part // the entities visited, in order
}

// walked is what one entity holds: its text parts, and the candidates
// for the last text part among them.
type walked struct {
	all, last []textPart
}

func (w *walker) entity(h textproto.Header, body io.Reader, depth int) walked {
	w.parts++
	mt, params := mediaType(h.Get("Content-Type"))
	if strings.HasPrefix(mt, "multipart/") && params["boundary"] == "" {
		mt = "text/plain" // no usable boundary: an invalid Content-Type (RFC 2045 §5.2)
	}
	part := newPart(h, mt, params, depth)
	w.shape = append(w.shape, part)
	if strings.HasPrefix(mt, "multipart/") {
		if depth >= maxDepth {
			return walked{}
		}
		mr := textproto.NewMultipartReader(body, params["boundary"])
		mr.MaxHeaderBytes = maxPartHeader
		return w.multipart(mr, mt == "multipart/alternative", depth)
	}
	if part.Attachment {
		return walked{}
	}
	if mt != "text/plain" && mt != "text/html" {
		return walked{}
	}
	html := mt == "text/html"
	r := decodeBody(body, h.Get("Content-Transfer-Encoding"), params["charset"], html)
	p := textPart{html: html}
	p.head, p.text = readEnds(r, w.head, w.tail, html)
	return walked{all: []textPart{p}, last: []textPart{p}}
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
func (w *walker) multipart(mr *textproto.MultipartReader, alternative bool, depth int) walked {
	var out walked
	var plain, rich []textPart
	for w.parts < maxParts {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		c := w.entity(p.Header, p, depth+1)
		out.all = append(out.all, c.all...)
		switch {
		case len(c.last) == 0:
		case !alternative:
			out.last = c.last
		case !c.last[0].html:
			plain = c.last[:1]
		default:
			rich = c.last[len(c.last)-1:]
		}
	}
	if alternative {
		out.last = append(plain, rich...)
	}
	return out
}
