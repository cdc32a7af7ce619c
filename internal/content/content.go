// Package content finds what spam filters' rules catch in a message
// without learning: facts about its structure, links, text and header
// that the rules score (the rule fact content). It reads the header view
// and the decoded body the other checks share, and decides nothing.
//
// Each signal names the rule of rspamd (its MIME, URL, header and
// charset rules; rspamd.com/doc/rules) or SpamAssassin (its 20_*.cf rule
// files) that describes the technique.
package content

import (
	"net/netip"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"milter91/decree"
	"milter91/internal/mailmsg"

	"milter91/internal/freemail"
)

// The signals (values of the rule fact content).
const (
	// HTMLOnly: the text is HTML without a text/plain alternative
	// (rspamd MIME_HTML_ONLY).
	HTMLOnly = "html_only"
	// IPLink: a link's host is an IP address (rspamd HTTP_TO_IP,
	// SpamAssassin NUMERIC_HTTP_ADDR).
	IPLink = "ip_link"
	// ShortenerLink: a link goes through a URL shortener, hiding its
	// target (rspamd's url_redirector module and its redirector list).
	ShortenerLink = "shortener_link"
	// InvisibleText: the text holds zero-width characters, which split
	// words so that filters do not read them (rspamd ZERO_WIDTH_SPACE_URL,
	// SpamAssassin __UNICODE_OBFU_ZW).
	InvisibleText = "invisible_text"
	// MixedScript: a word mixes Latin with Cyrillic or Greek letters, the
	// homoglyph disguise of "pаypal" (rspamd R_MIXED_CHARSET).
	MixedScript = "mixed_script"
	// DangerousAttachment: an attachment's name ends in an executable's
	// extension (rspamd MIME_BAD_EXTENSION).
	DangerousAttachment = "dangerous_attachment"
	// DoubleExtension: an attachment named like "invoice.pdf.exe" (rspamd
	// MIME_DOUBLE_BAD_EXTENSION).
	DoubleExtension = "double_extension"
	// FreemailReplyTo: Reply-To is on a freemail domain other than the
	// From domain (rspamd FREEMAIL_REPLYTO_NEQ_FROM_DOM).
	FreemailReplyTo = "freemail_reply_to"
	// MissingDate, MissingMessageID: the header lacks Date or Message-ID,
	// which RFC 5322 §3.6 requires and §3.6.4 asks for (rspamd
	// MISSING_DATE, MISSING_MID).
	MissingDate      = "missing_date"
	MissingMessageID = "missing_message_id"
	// UndisclosedRecipients: To is an empty "undisclosed-recipients:;"
	// group or missing (rspamd R_UNDISC_RCPT).
	UndisclosedRecipients = "undisclosed_recipients"
	// ManyRecipients: To and Cc name more than ManyRecipientsOver addresses
	// (rspamd RCPT_COUNT_*).
	ManyRecipients = "many_recipients"
)

// Signals lists every signal, for the rule fact's allowed values.
var Signals = []string{HTMLOnly, IPLink, ShortenerLink, InvisibleText, MixedScript, DangerousAttachment,
	DoubleExtension, FreemailReplyTo, MissingDate, MissingMessageID, UndisclosedRecipients, ManyRecipients}

// Bounds of the work on one message.
const (
	// ManyRecipientsOver is the To and Cc count above which a message has
	// ManyRecipients.
	ManyRecipientsOver = 50
	// maxLinks bounds the links looked at.
	maxLinks = 200
)

// Find returns the signals of a message with header v and body (nil: no
// body), sorted. Time is linear in the header and in the decoded text
// heads body holds.
func Find(v *mailmsg.View, body *decree.Body) []string {
	var out []string
	out = append(out, header(v)...)
	if body != nil {
		out = append(out, structure(body.Parts())...)
		out = append(out, links(body.Links(maxLinks))...)
		out = append(out, text(body.Texts())...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func header(v *mailmsg.View) []string {
	var out []string
	if !v.Present("Date") {
		out = append(out, MissingDate)
	}
	if !v.Present("Message-ID") {
		out = append(out, MissingMessageID)
	}
	to := v.Addresses("To")
	if len(to) == 0 {
		out = append(out, UndisclosedRecipients)
	}
	if len(to)+len(v.Addresses("Cc")) > ManyRecipientsOver {
		out = append(out, ManyRecipients)
	}
	from := v.From.Domain()
	for _, a := range v.Addresses("Reply-To") {
		if d := a.Domain(); freemail.IsBuiltin(d) && d != from {
			out = append(out, FreemailReplyTo)
			break
		}
	}
	return out
}

func structure(parts []decree.Part) []string {
	var out []string
	html, plain := false, false
	for _, p := range parts {
		switch {
		case p.Filename != "":
			out = append(out, attachment(strings.ToLower(p.Filename))...)
		case p.Attachment:
		case p.Type == "text/html":
			html = true
		case p.Type == "text/plain":
			plain = true
		}
	}
	if html && !plain {
		out = append(out, HTMLOnly)
	}
	return out
}

// attachment returns the signals of an attachment's file name (lower
// case): an executable's extension, and a double extension whose last is
// one ("invoice.pdf.exe"; a space-padded "report.pdf      .exe" too).
func attachment(name string) []string {
	name = strings.TrimRight(name, ". ")
	dot := strings.LastIndexByte(name, '.')
	if dot < 0 || !executable[name[dot+1:]] {
		return nil
	}
	out := []string{DangerousAttachment}
	stem := strings.TrimRight(name[:dot], " ")
	if prev := strings.LastIndexByte(stem, '.'); prev >= 0 && len(stem)-prev-1 >= 2 && len(stem)-prev-1 <= 4 {
		out = append(out, DoubleExtension)
	}
	return out
}

func links(ls []decree.Link) []string {
	var out []string
	for _, l := range ls {
		if l.Email {
			continue
		}
		host := strings.Trim(l.Host, "[]")
		if _, err := netip.ParseAddr(host); err == nil {
			out = append(out, IPLink)
		}
		if shortener[strings.TrimPrefix(host, "www.")] {
			out = append(out, ShortenerLink)
		}
	}
	return out
}

func text(texts []decree.Text) []string {
	var out []string
	for _, t := range texts {
		if strings.ContainsAny(t.Text, "\u200b\u200c\u200d\u2060\ufeff") {
			out = append(out, InvisibleText)
		}
		if mixedScript(t.Text) {
			out = append(out, MixedScript)
		}
	}
	return out
}

// mixedScript reports whether a word of s mixes Latin letters with
// Cyrillic or Greek ones. One pass over s.
func mixedScript(s string) bool {
	latin, other := false, false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case unicode.IsSpace(r) || unicode.IsPunct(r):
			latin, other = false, false
		case r < utf8.RuneSelf && unicode.IsLetter(r) || unicode.Is(unicode.Latin, r):
			latin = true
		case unicode.Is(unicode.Cyrillic, r) || unicode.Is(unicode.Greek, r):
			other = true
		}
		if latin && other {
			return true
		}
	}
	return false
}
