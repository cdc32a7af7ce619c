package milter

import (
	"maps"
	"slices"
	"strings"

	"milter91/internal/txn"
)

// message is the per-message part of a session: envelope, headers and body.
// It is replaced at MAIL FROM and dropped at Abort, end of message and
// connection end.
type message struct {
	from    string
	rcpts   []string
	macros  map[string]string
	headers []txn.Header
	// headSize counts the header block as rebuilt (name ":" value CRLF).
	headSize int64
	// over names the header limit the message passed (LimitHeaderBytes,
	// LimitHeaderFields), "" while within both.
	over string
	body *txn.Spool
}

// Limits a message can pass, as named in the log line (limit=) and in
// txn.Answer.Limit.
const (
	LimitMessageSize  = "message_size"
	LimitHeaderBytes  = "header_bytes"
	LimitHeaderFields = "header_fields"
)

func (s *Server) newMessage(from string) *message {
	return &message{
		from:   from,
		macros: map[string]string{},
		body:   txn.NewSpool(s.opts.SpoolThreshold, s.opts.SpoolDir),
	}
}

// addHeader records one header field exactly as the MTA sent it (see
// headerValue) while the header block stays within maxFields fields and
// maxBytes bytes. The field that passes a limit and every later one are
// not stored: only their size is counted, and over names the limit.
func (msg *message) addHeader(name, value string, leadSpace bool, maxBytes int64, maxFields int) {
	if msg.over != "" {
		msg.headSize += int64(len(name) + 1 + len(value) + 2)
		return
	}
	v := headerValue(value, leadSpace)
	msg.headSize += int64(len(name) + 1 + len(v) + 2)
	switch {
	case len(msg.headers) >= maxFields:
		msg.over = LimitHeaderFields
	case msg.headSize > maxBytes:
		msg.over = LimitHeaderBytes
	default:
		msg.headers = append(msg.headers, txn.Header{Name: name, Value: v})
	}
}

// size is the message size in bytes so far: header block, empty line, body.
func (msg *message) size() int64 {
	return msg.headSize + 2 + msg.body.Size()
}

// headerValue rebuilds the value as it was on the wire.
//
// Postfix (and Sendmail) send folded headers with bare LF between the lines;
// the original had CRLF (RFC 5322 §2.2.3), which DKIM "simple" header
// canonicalization needs, so LF becomes CRLF. Without SMFIP_HDR_LEADSPC the
// MTA swallowed one space after the colon; it is put back unless the value
// starts with a tab (which the MTA keeps).
func headerValue(v string, leadSpace bool) string {
	if !leadSpace && (v == "" || v[0] != '\t') {
		v = " " + v
	}
	if !strings.Contains(v, "\n") {
		return v
	}
	var b strings.Builder
	b.Grow(len(v) + 8)
	for i := 0; i < len(v); i++ {
		if v[i] == '\n' && (i == 0 || v[i-1] != '\r') {
			b.WriteByte('\r')
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// transaction builds the Transaction for msg. The result shares nothing
// mutable with the session (maps and slices are copied) except the body
// spool, which moves to the transaction: the session must not touch it again.
func transaction(conn txn.Conn, msg *message) *txn.Transaction {
	c := conn
	c.Macros = make(map[string]string, len(conn.Macros)+len(msg.macros))
	maps.Copy(c.Macros, conn.Macros)
	maps.Copy(c.Macros, msg.macros)
	return &txn.Transaction{
		Conn:     c,
		QueueID:  msg.macros["i"],
		MailFrom: msg.from,
		Rcpts:    slices.Clone(msg.rcpts),
		AuthUser: msg.macros["auth_authen"],
		Headers:  slices.Clone(msg.headers),
		Body:     msg.body,
	}
}

// cloneConn copies c with its own macro map, for Prefetch, which may keep it
// while the session goes on.
func cloneConn(c txn.Conn) txn.Conn {
	c.Macros = maps.Clone(c.Macros)
	return c
}
