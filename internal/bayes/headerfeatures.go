package bayes

import (
	"strconv"
	"strings"

	"milter91/decree"
)

// headerFeatures adds the features of the chosen header fields:
// "subject:" words and pairs, the From display name's words ("from:name:")
// its address and domain, the Received chain's shape, the Content-Type
// and the mailer.
func (e *emitter) headerFeatures(h *msgHeader) {
	e.fieldWords(decree.Fold(h.subject), "subject:")
	switch {
	case h.fromCount != 1:
		e.add("from:fields:", strconv.Itoa(min(h.fromCount, 3)))
	case !h.fromOK:
		e.add("from:", "unparsable")
	}
	if h.fromName == "" {
		e.add("from:", "noname")
	}
	e.fieldWords(decree.Fold(h.fromName), "from:name:")
	if at := strings.LastIndexByte(h.fromAddr, '@'); at >= 0 {
		e.add("from:addr:", h.fromAddr)
		e.host("from:domain:", h.fromAddr[at+1:])
	}
	e.received(h)
	ct := h.contentType
	if ct == "" {
		ct = "none"
	}
	e.add("ct:", ct)
	if h.charset != "" {
		e.add("charset:", h.charset)
	}
	e.mailer(h.mailer)
}

// fieldWords adds prefix + each folded word of s and prefix + each adjacent
// pair, as the text does but apart from it.
func (e *emitter) fieldWords(s, prefix string) {
	prev := ""
	for w := range strings.SplitSeq(s, " ") {
		t := trimPunct(w)
		if t == "" || len(t) > 4*maxWord {
			continue
		}
		e.add(prefix, t)
		if prev != "" {
			e.add(prefix, prev+" "+t)
		}
		prev = t
	}
}

// mailer adds "mailer:" + the X-Mailer (or User-Agent) up to its first
// version digit or parenthesis, folded, and "mailer:none" when there is none.
func (e *emitter) mailer(v string) {
	if v == "" {
		e.add("mailer:", "none")
		return
	}
	v = decree.Fold(v)
	if i := strings.IndexAny(v, "0123456789(["); i >= 0 {
		v = v[:i]
	}
	v = strings.TrimSpace(v)
	e.add("mailer:", v[:cutUTF8(v, 40)])
}

// received adds the shape of the Received chain (RFC 5321 §4.4): the
// number of hops, and for each of the first maxReceived the protocol
// ("with"), whether the client had a name or only an address, the
// registrable domains of the "from" and "by" hosts and the /16 and /24 of
// the client address.
func (e *emitter) received(h *msgHeader) {
	e.add("received:count:", strconv.Itoa(min(h.receivedCount, 10)))
	for _, v := range h.received {
		v = strings.ToLower(v)
		if i := strings.LastIndexByte(v, ';'); i >= 0 {
			v = v[:i] // the date
		}
		fields := strings.Fields(v)
		for i := 0; i+1 < len(fields); i++ {
			arg := strings.Trim(fields[i+1], "()[];")
			switch fields[i] {
			case "from":
				e.host("received:from:", arg)
			case "by":
				e.host("received:by:", arg)
			case "with":
				e.add("received:with:", arg[:cutUTF8(arg, 20)])
			}
		}
		if ip := bracketed(v); ip != "" {
			e.add("received:ip:", ip)
		} else {
			e.add("received:", "noip")
		}
	}
}

// bracketed returns the /24 of the first bracketed IPv4 address in v
// ("[192.0.2.7]" → "192.0.2"), "" when there is none.
func bracketed(v string) string {
	for {
		i := strings.IndexByte(v, '[')
		if i < 0 {
			return ""
		}
		v = v[i+1:]
		j := strings.IndexByte(v, ']')
		if j < 0 {
			return ""
		}
		a := v[:j]
		if k := strings.LastIndexByte(a, '.'); k > 0 && strings.Count(a, ".") == 3 && isNumeric(a) {
			return a[:k]
		}
		v = v[j+1:]
	}
}

// structureFeatures adds the MIME structure: "mime:" + each entity's
// type, "mime:ext:" + an attachment's file name extension (and
// "mime:ext2:" when it has two, "invoice.pdf.exe"), "mime:cte:" + each
// encoding, the number of entities, and "mime:htmlonly" when the text is
// HTML without a plain alternative.
func (e *emitter) structureFeatures(parts []decree.Part) {
	html, plain := false, false
	for _, p := range parts {
		e.add("mime:", p.Type)
		if p.Encoding != "" {
			e.add("mime:cte:", p.Encoding[:cutUTF8(p.Encoding, 20)])
		}
		if p.Filename != "" {
			e.filename(strings.ToLower(p.Filename))
		}
		switch {
		case p.Attachment:
		case p.Type == "text/html":
			html = true
		case p.Type == "text/plain":
			plain = true
		}
	}
	e.add("mime:parts:", strconv.Itoa(min(len(parts), 10)))
	if html && !plain {
		e.add("mime:", "htmlonly")
	}
}

// filename adds the extensions of an attachment's file name.
func (e *emitter) filename(name string) {
	dot := strings.LastIndexByte(name, '.')
	if dot < 0 {
		e.add("mime:ext:", "none")
		return
	}
	e.add("mime:ext:", name[dot+1:][:cutUTF8(name[dot+1:], 10)])
	if prev := strings.LastIndexByte(name[:dot], '.'); prev >= 0 && dot-prev <= 5 {
		e.add("mime:ext2:", name[prev+1:dot])
	}
}
