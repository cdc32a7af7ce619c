package decree

import (
	"mime"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// Part is one MIME entity of a message as ReadBody met it: its shape, not
// its content. The message itself is the first Part (Depth 0).
type Part struct {
	// Type is the media type, lower case ("text/plain" when the field is
	// missing or unusable, RFC 2045 §5.2).
	Type string
	// Depth is the nesting level: 0 for the message, 1 for its children.
	Depth int
	// Attachment is true for Content-Disposition: attachment.
	Attachment bool
	// Filename is the Content-Disposition filename or else the
	// Content-Type name parameter (RFC 2183 §2.3, RFC 2231), as written and
	// cut to maxFilename bytes; "" when there is none.
	Filename string
	// Encoding is the Content-Transfer-Encoding, lower case, "" when none.
	Encoding string
}

// maxFilename bounds Part.Filename (NAME_MAX on most file systems).
const maxFilename = 255

// Text is the decoded head of one text part: its first headBytes of text
// (see ReadBody), rendered from HTML when HTML is true.
type Text struct {
	HTML bool
	Text string
}

// Texts returns every text part's head, in message order: what Links
// reads, for other readers of the decoded text (the content classifier).
func (b *Body) Texts() []Text {
	out := make([]Text, len(b.all))
	for i, p := range b.all {
		out[i] = Text{HTML: p.html, Text: p.head}
	}
	return out
}

// Parts returns the MIME entities ReadBody walked, in tree order (at most
// maxParts, none deeper than maxDepth).
func (b *Body) Parts() []Part { return b.parts }

// newPart describes the entity with header h, of media type mt (as the
// walker resolved it), at depth.
func newPart(h textproto.Header, mt string, params map[string]string, depth int) Part {
	p := Part{Type: mt, Depth: depth, Encoding: strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding")))}
	disp, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	p.Attachment = disp == "attachment"
	p.Filename = dparams["filename"]
	if p.Filename == "" {
		p.Filename = params["name"]
	}
	if len(p.Filename) > maxFilename {
		p.Filename = p.Filename[:maxFilename]
	}
	return p
}
