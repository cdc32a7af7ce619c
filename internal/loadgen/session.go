package loadgen

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	gomilter "github.com/d--j/go-milter"

	"milter91/internal/txn"
)

// Corpus is a corpus loaded for playing: each message split into header
// fields and body once, so that the load generator spends its CPU on the
// protocol, not on parsing.
type Corpus struct {
	Messages []*Message
}

// Message is one corpus message ready to send.
type Message struct {
	Entry
	// Headers are the fields in order; values as Postfix passes them: raw,
	// the leading space kept, folded lines joined by LF.
	Headers []txn.Header
	// Body is the body with CRLF line ends.
	Body []byte
}

// LoadCorpus reads the manifest of dir and every message it lists, split
// with txn.ReadMessage. It returns the first read or manifest error.
func LoadCorpus(dir string) (*Corpus, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	c := &Corpus{Messages: make([]*Message, 0, len(m.Messages))}
	for _, e := range m.Messages {
		data, err := os.ReadFile(filepath.Join(dir, e.File))
		if err != nil {
			return nil, err
		}
		headers, spool, err := txn.ReadMessage(bytes.NewReader(data), math.MaxInt64, "")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.File, err)
		}
		body, err := io.ReadAll(spool.Reader())
		spool.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.File, err)
		}
		for i := range headers {
			headers[i].Value = strings.ReplaceAll(headers[i].Value, "\r\n", "\n")
		}
		c.Messages = append(c.Messages, &Message{Entry: e, Headers: headers, Body: body})
	}
	return c, nil
}

// macros are the macro values of one SMTP session as Postfix defines them;
// msg is replaced for each message. go-milter sends, per stage, only those
// the milter asked for. Used by one goroutine only.
type macros struct {
	conn, msg map[string]string
}

// Get implements gomilter.Macros.
func (m *macros) Get(name string) string {
	v, _ := m.GetEx(name)
	return v
}

// GetEx implements gomilter.Macros.
func (m *macros) GetEx(name string) (string, bool) {
	if v, ok := m.msg[name]; ok {
		return v, true
	}
	v, ok := m.conn[name]
	return v, ok
}

// mtaName is the MTA's host name (macro j, and Postfix's default
// milter_macro_daemon_name).
const mtaName = "mx.example.net"

// connMacros returns the connection macros of Postfix smtpd for c; an
// authenticated client comes in over submission with TLS and daemon name
// ORIGINATING (the usual `-o milter_macro_daemon_name=ORIGINATING`).
func connMacros(c Conn, port uint16) map[string]string {
	m := map[string]string{
		gomilter.MacroMTAFQDN: mtaName, gomilter.MacroMTAVersion: "Postfix 3.7.11",
		gomilter.MacroDaemonName: mtaName, gomilter.MacroDaemonAddr: "127.0.0.1", gomilter.MacroDaemonPort: "25",
		gomilter.MacroClientAddr: c.ClientIP, gomilter.MacroClientPort: fmt.Sprint(port),
		gomilter.MacroClientName: "unknown", gomilter.MacroClientPTR: "unknown",
		gomilter.MacroRFC1413AuthInfo: "unknown [" + c.ClientIP + "]",
	}
	if c.AuthUser != "" {
		m[gomilter.MacroDaemonName], m[gomilter.MacroDaemonPort] = "ORIGINATING", "587"
		m[gomilter.MacroTlsVersion], m[gomilter.MacroCipher], m[gomilter.MacroCipherBits] = "TLSv1.3", "TLS_AES_256_GCM_SHA384", "256"
	}
	return m
}

// outcome is what happened to one message.
type outcome struct {
	action     string   // final decision: accept, reject, tempfail, discard
	mods       []string // modifications at end of message, by type
	eom, total time.Duration
	errStage   string // set when the message failed with a protocol or connection error
	err        error
}

// session is one open milter connection (one SMTP session).
type session struct {
	cs     *gomilter.ClientSession
	mac    *macros
	conn   Conn
	played int
}

// openSession connects to the milter and sends connect and HELO for c. A
// milter that refuses the connection or the HELO gives a nil session and
// that decision as the outcome.
func openSession(client *gomilter.Client, c Conn, port uint16) (*session, *outcome) {
	mac := &macros{conn: connMacros(c, port), msg: map[string]string{}}
	cs, err := client.Session(mac)
	if err != nil {
		return nil, &outcome{errStage: "session", err: err}
	}
	family := gomilter.FamilyInet
	if strings.Contains(c.ClientIP, ":") {
		family = gomilter.FamilyInet6
	}
	steps := []struct {
		stage string
		do    func() (*gomilter.Action, error)
	}{
		{stage: "connect", do: func() (*gomilter.Action, error) { return cs.Conn("["+c.ClientIP+"]", family, port, c.ClientIP) }},
		{stage: "helo", do: func() (*gomilter.Action, error) { return cs.Helo(c.Helo) }},
	}
	for _, st := range steps {
		act, err := st.do()
		if err != nil {
			_ = cs.Close()
			return nil, &outcome{errStage: st.stage, err: err}
		}
		if act.Type != gomilter.ActionContinue {
			_ = cs.Close()
			return nil, &outcome{action: actionName(act)}
		}
	}
	return &session{cs: cs, mac: mac, conn: c}, nil
}

// play sends one message: MAIL … end of message. queueID is the Postfix
// queue ID (macro i). A decision before end of message ends the message
// (SMFIC_ABORT, as Postfix sends on RSET), the session stays usable.
func (s *session) play(m *Message, queueID string) outcome {
	s.played++
	s.mac.msg = msgMacros(m, s.conn)
	start := time.Now()
	args := ""
	if m.EightBit {
		args = "BODY=8BITMIME"
	}
	if o, done := s.step("mail", func() (*gomilter.Action, error) { return s.cs.Mail(m.MailFrom, args) }); done {
		return o
	}
	// Postfix assigns the queue ID once the first recipient is accepted.
	s.mac.msg[gomilter.MacroQueueId] = queueID
	for _, rcpt := range m.Rcpts {
		s.mac.msg[gomilter.MacroRcptAddr], s.mac.msg[gomilter.MacroRcptHost] = rcpt, domainOf(rcpt)
		if o, done := s.step("rcpt", func() (*gomilter.Action, error) { return s.cs.Rcpt(rcpt, "") }); done {
			return o
		}
	}
	if o, done := s.step("data", s.cs.DataStart); done {
		return o
	}
	leadSpace := s.cs.ProtocolOption(gomilter.OptHeaderLeadingSpace)
	for _, h := range m.Headers {
		v := h.Value
		if !leadSpace {
			v = strings.TrimLeft(v, " \t")
		}
		if o, done := s.step("header", func() (*gomilter.Action, error) { return s.cs.HeaderField(h.Name, v, nil) }); done {
			return o
		}
	}
	if o, done := s.step("eoh", s.cs.HeaderEnd); done {
		return o
	}
	for rest := m.Body; len(rest) > 0; {
		chunk := rest[:min(len(rest), int(gomilter.DataSize64K))]
		rest = rest[len(chunk):]
		if o, done := s.step("body", func() (*gomilter.Action, error) { return s.cs.BodyChunk(chunk) }); done {
			return o
		}
	}
	eomStart := time.Now()
	mods, act, err := s.cs.End()
	end := time.Now()
	if err != nil {
		return outcome{errStage: "eom", err: err}
	}
	o := outcome{action: actionName(act), eom: end.Sub(eomStart), total: end.Sub(start)}
	for _, md := range mods {
		o.mods = append(o.mods, modName(md.Type))
	}
	return o
}

// step runs one protocol step; done is true when the message ends there,
// with an error or a decision.
func (s *session) step(stage string, do func() (*gomilter.Action, error)) (outcome, bool) {
	act, err := do()
	if err != nil {
		return outcome{errStage: stage, err: err}, true
	}
	if act.Type == gomilter.ActionContinue {
		return outcome{}, false
	}
	if err := s.cs.Abort(nil); err != nil {
		return outcome{errStage: "abort", err: err}, true
	}
	return outcome{action: actionName(act)}, true
}

// close ends the session (SMFIC_QUIT).
func (s *session) close() { _ = s.cs.Close() }

// msgMacros are the MAIL-stage macros of m in session c.
func msgMacros(m *Message, c Conn) map[string]string {
	mm := map[string]string{
		gomilter.MacroMailAddr: m.MailFrom, gomilter.MacroMailHost: domainOf(m.MailFrom),
		gomilter.MacroMailMailer: "smtp", gomilter.MacroRcptMailer: "local",
	}
	if c.AuthUser != "" {
		mm[gomilter.MacroAuthAuthen], mm[gomilter.MacroAuthType] = c.AuthUser, "PLAIN"
		mm[gomilter.MacroRcptMailer] = "smtp"
	}
	return mm
}

// actionName names a final decision: accept (also continue at end of
// message, which Postfix treats as accept), reject, tempfail (a 4xx
// reply included) or discard.
func actionName(a *gomilter.Action) string {
	switch a.Type {
	case gomilter.ActionAccept, gomilter.ActionContinue:
		return "accept"
	case gomilter.ActionDiscard:
		return "discard"
	case gomilter.ActionTempFail:
		return "tempfail"
	case gomilter.ActionRejectWithCode:
		if a.SMTPCode >= 400 && a.SMTPCode < 500 {
			return "tempfail"
		}
	}
	return "reject"
}

// modName names a modification at end of message.
func modName(t gomilter.ModifyActionType) string {
	switch t {
	case gomilter.ActionAddRcpt:
		return "add_rcpt"
	case gomilter.ActionDelRcpt:
		return "del_rcpt"
	case gomilter.ActionQuarantine:
		return "quarantine"
	case gomilter.ActionReplaceBody:
		return "replace_body"
	case gomilter.ActionChangeFrom:
		return "change_from"
	case gomilter.ActionAddHeader:
		return "add_header"
	case gomilter.ActionChangeHeader:
		return "change_header"
	case gomilter.ActionInsertHeader:
		return "insert_header"
	}
	return fmt.Sprintf("modify_%d", t)
}
