// Package txn holds the plain value types every stage shares: the SMTP
// transaction as the milter (or `milter91 check`) saw it, the facts the
// checks derive from it, and the verdict the rules return.
//
// Nothing here performs I/O except the body spool; nothing here decides.
package txn

import (
	"bytes"
	"io"
	"net/netip"
	"strings"

	"milter91/internal/mailmsg"
)

// Header is one message header field exactly as received (see
// mailmsg.Field). Value is everything after the colon, without the
// terminating CRLF, with folding and the leading space kept (milter
// SMFIP_HDR_LEADSPC), so that the original bytes can be rebuilt as
// Name + ":" + Value + "\r\n".
type Header = mailmsg.Field

// Conn is what is known about the SMTP connection. It lives as long as the
// SMTP session: every message of one session shares it.
type Conn struct {
	// ClientIP is the SMTP client address; invalid (zero) when unknown,
	// e.g. for locally submitted mail (non_smtpd_milters).
	ClientIP netip.Addr
	// ClientPort is the client TCP port, 0 when unknown.
	ClientPort uint16
	// ClientName is Postfix's {client_name}: the verified reverse name, or
	// "unknown".
	ClientName string
	// HELO is the last HELO/EHLO argument.
	HELO string
	// DaemonName is Postfix's {daemon_name} (milter_macro_daemon_name).
	DaemonName string
	// Listener is the milter listen address the MTA connected to
	// (e.g. "inet:127.0.0.1:8891"); "" when unknown.
	Listener string
	// Macros holds every macro the MTA sent, by name without braces
	// ("client_addr", "i", "auth_authen").
	Macros map[string]string
	// Local is set for locally submitted mail (Postfix non_smtpd_milters:
	// sendmail(1), postdrop, pickup), which has no SMTP client; ClientIP
	// is then invalid.
	Local bool
}

// Transaction is one message: connection data, envelope, headers, body.
type Transaction struct {
	Conn Conn
	// QueueID is Postfix's queue ID (macro i); empty until known.
	QueueID string
	// MailFrom is the envelope sender without angle brackets; "" for the
	// null reverse-path (bounces).
	MailFrom string
	// Rcpts are the accepted envelope recipients, without angle brackets.
	Rcpts []string
	// AuthUser is {auth_authen}: the SASL login name; "" when the client did
	// not authenticate.
	AuthUser string
	// Headers in arrival order.
	Headers []Header
	// Body is the spooled body (CRLF line ends as sent by the MTA); may be nil
	// for a message without body.
	Body *Spool
}

// HeaderValues returns the values of all headers named name
// (case-insensitive), in order, untrimmed.
func (t *Transaction) HeaderValues(name string) []string {
	var out []string
	for _, h := range t.Headers {
		if strings.EqualFold(h.Name, name) {
			out = append(out, h.Value)
		}
	}
	return out
}

// Size returns the message size in bytes: rebuilt header block plus body.
func (t *Transaction) Size() int64 {
	var n int64
	for _, h := range t.Headers {
		n += int64(len(h.Name) + 1 + len(h.Value) + 2)
	}
	n += 2
	if t.Body != nil {
		n += t.Body.Size()
	}
	return n
}

// BodyReader returns a reader over the body from its first byte; an empty
// reader when there is no body.
func (t *Transaction) BodyReader() io.Reader {
	if t.Body == nil {
		return strings.NewReader("")
	}
	return t.Body.Reader()
}

// MessageReader returns the whole message (RFC 5322 form, CRLF line ends):
// the headers rebuilt byte for byte, an empty line, then the body.
// Each call returns an independent reader.
func (t *Transaction) MessageReader() io.Reader {
	return io.MultiReader(bytes.NewReader(mailmsg.AppendBlock(nil, t.Headers)), t.BodyReader())
}
