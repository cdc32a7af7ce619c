package bayes

import (
	"mime"
	"strings"

	"milter91/internal/mailmsg"
)

// The header fields the classifier reads, and every access to them: the
// one place to change when the message view (internal/mailmsg) grows.

// maxReceived bounds the Received fields read, from the top (the newest):
// the hops a message took before the last ones are the sender's to write.
const maxReceived = 8

// maxFieldBytes bounds the unfolded value read of each field.
const maxFieldBytes = 2048

// msgHeader holds the values the features come from.
type msgHeader struct {
	subject            string // RFC 2047 decoded
	fromName, fromAddr string // the first From mailbox; fromAddr lower case
	fromOK             bool   // From holds one parsable mailbox or more
	fromCount          int    // From fields
	received           []string
	receivedCount      int
	contentType        string // top-level media type, lower case
	charset            string // its charset parameter, lower case
	mailer             string // X-Mailer, else User-Agent
	messageID          string
}

// readHeader reads the chosen fields of v once.
func readHeader(v *mailmsg.View) msgHeader {
	h := msgHeader{subject: v.Subject, fromCount: v.From.Fields, fromOK: v.From.Status == mailmsg.FromOK}
	if len(v.From.Addresses) > 0 {
		a := v.From.Addresses[0]
		h.fromName, h.fromAddr = a.Name, strings.ToLower(a.Addr)
	}
	for _, f := range v.Fields {
		switch strings.ToLower(f.Name) {
		case "received":
			h.receivedCount++
			if len(h.received) < maxReceived {
				h.received = append(h.received, value(f))
			}
		case "content-type":
			if h.contentType == "" {
				mt, params, _ := mime.ParseMediaType(value(f))
				h.contentType, h.charset = mt, strings.ToLower(params["charset"])
			}
		case "x-mailer":
			h.mailer = value(f)
		case "user-agent":
			if h.mailer == "" {
				h.mailer = value(f)
			}
		case "message-id":
			if h.messageID == "" {
				h.messageID = value(f)
			}
		}
	}
	return h
}

// value returns f's value unfolded, trimmed and cut to maxFieldBytes.
func value(f mailmsg.Field) string {
	v := f.Value[:cutUTF8(f.Value, 2*maxFieldBytes)]
	v = strings.TrimSpace(mailmsg.Unfold(v))
	return v[:cutUTF8(v, maxFieldBytes)]
}
