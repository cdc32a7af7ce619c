package bayes

import (
	"mime"
	"net/mail"
	"os"
	"strconv"
	"strings"

	"github.com/emersion/go-message/charset"

	"milter91/decree"
	"milter91/internal/mailmsg"
)

// The header fields the classifier reads, and every access to them: the
// one place to change when the message view (internal/mailmsg) grows.

// maxReceived bounds the Received fields read, from the top (the newest):
// the hops a message took before the last ones are the sender's to write.
var maxReceived = envInt("XR", 8)

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
	names              []string
	to, date           string
	rcptCount          int
}

var expHdr = os.Getenv("XH") != ""

var wordDecoder = &mime.WordDecoder{CharsetReader: charset.Reader}

// readHeader reads the chosen fields of header once.
func readHeader(header []mailmsg.Field) msgHeader {
	var h msgHeader
	for _, f := range header {
		if expHdr && len(h.names) < 64 {
			h.names = append(h.names, strings.ToLower(f.Name))
		}
		switch strings.ToLower(f.Name) {
		case "subject":
			if h.subject == "" {
				h.subject = decree.DecodeHeader(value(f))
			}
		case "from":
			h.fromCount++
			if h.fromCount == 1 {
				h.readFrom(value(f))
			}
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
		case "to", "cc":
			h.rcptCount += strings.Count(value(f), "@")
			if h.to == "" {
				h.to = value(f)
			}
		case "date":
			h.date = value(f)
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

// readFrom parses the From value: the first mailbox's display name and
// address.
func (h *msgHeader) readFrom(v string) {
	list, err := (&mail.AddressParser{WordDecoder: wordDecoder}).ParseList(v)
	if err != nil || len(list) == 0 {
		return
	}
	h.fromOK = true
	h.fromName, h.fromAddr = list[0].Name, strings.ToLower(list[0].Address)
}

func envInt(name string, def int) int {
	if v := os.Getenv(name); v != "" {
		n, _ := strconv.Atoi(v)
		return n
	}
	return def
}
