package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/textproto"
	"strings"
	"time"
)

// smtpTimeout bounds each command round trip, DATA included (20 MiB
// through a race-instrumented milter).
const smtpTimeout = 2 * time.Minute

// reply is one SMTP reply: the code and the text after it, lines of a
// multi-line reply joined by "\n" (RFC 5321 §4.2).
type reply struct {
	Code int
	Text string
}

func (r reply) String() string { return fmt.Sprintf("%d %s", r.Code, r.Text) }

// queueID returns the Postfix queue id of a "250 2.0.0 Ok: queued as ID"
// reply, or "".
func (r reply) queueID() string {
	const marker = "queued as "
	i := strings.Index(r.Text, marker)
	if r.Code != 250 || i < 0 {
		return ""
	}
	return strings.Fields(r.Text[i+len(marker):])[0]
}

// outMessage is one message to submit: envelope, MAIL FROM parameters
// (e.g. "BODY=8BITMIME SMTPUTF8") and the message bytes with CRLF line ends.
type outMessage struct {
	From       string
	MailParams string
	To         []string
	Data       []byte
}

// smtpSession is a client SMTP session that can carry several messages.
// net/smtp hides the text of the reply to DATA, which holds the queue id
// and the milter's reject text, hence textproto.
type smtpSession struct {
	conn net.Conn
	tp   *textproto.Conn
}

// dialSMTP connects to addr (HOST:PORT) and reads the 220 greeting.
func dialSMTP(addr string) (*smtpSession, error) {
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	s := &smtpSession{conn: conn, tp: textproto.NewConn(conn)}
	if err := s.expect(220, ""); err != nil {
		conn.Close()
		return nil, err
	}
	return s, nil
}

// cmd sends one command line and returns the reply, whatever its code.
func (s *smtpSession) cmd(line string) (reply, error) {
	s.conn.SetDeadline(time.Now().Add(smtpTimeout))
	if line != "" {
		if err := s.tp.PrintfLine("%s", line); err != nil {
			return reply{}, err
		}
	}
	code, text, err := s.tp.ReadResponse(0)
	if err != nil {
		return reply{}, fmt.Errorf("reply to %q: %w", line, err)
	}
	return reply{Code: code, Text: text}, nil
}

// expect sends line ("" reads only) and fails unless the reply has code.
func (s *smtpSession) expect(code int, line string) error {
	r, err := s.cmd(line)
	if err != nil {
		return err
	}
	if r.Code != code {
		return fmt.Errorf("%q: got %v, want %d", line, r, code)
	}
	return nil
}

// ehlo greets with name.
func (s *smtpSession) ehlo(name string) error { return s.expect(250, "EHLO "+name) }

// xclient overrides the client attributes that Postfix (and so the milter)
// sees, e.g. "ADDR=127.0.0.2 NAME=[UNAVAILABLE] HELO=x.example.test"; the
// server greets anew, so the caller sends EHLO again.
func (s *smtpSession) xclient(attrs string) error { return s.expect(220, "XCLIENT "+attrs) }

// send runs one transaction. It returns the first reply that is not a
// success (MAIL, RCPT or DATA) after an RSET, else the reply to the end of
// DATA. err is for I/O and protocol failures only.
func (s *smtpSession) send(m outMessage) (reply, error) {
	mail := "MAIL FROM:<" + m.From + ">"
	if m.MailParams != "" {
		mail += " " + m.MailParams
	}
	cmds := []string{mail}
	for _, rc := range m.To {
		cmds = append(cmds, "RCPT TO:<"+rc+">")
	}
	for _, c := range append(cmds, "DATA") {
		r, err := s.cmd(c)
		if err != nil || (r.Code >= 400 && c != "DATA") || (c == "DATA" && r.Code != 354) {
			return s.abort(r, err)
		}
	}
	s.conn.SetDeadline(time.Now().Add(smtpTimeout))
	if err := writeDot(s.tp.W, m.Data); err != nil {
		return reply{}, err
	}
	return s.cmd("")
}

// abort resets the transaction after a failed step and returns that step's
// reply.
func (s *smtpSession) abort(r reply, err error) (reply, error) {
	if err != nil {
		return r, err
	}
	if _, err := s.cmd("RSET"); err != nil {
		return r, err
	}
	return r, nil
}

// quit ends the session.
func (s *smtpSession) quit() {
	s.cmd("QUIT")
	s.conn.Close()
}

// writeDot writes data dot-stuffed (RFC 5321 §4.5.2) and the final ".".
// data must end with CRLF; its bytes are otherwise sent unchanged.
func writeDot(w *bufio.Writer, data []byte) error {
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		return fmt.Errorf("message data does not end with CRLF")
	}
	for len(data) > 0 {
		n := bytes.IndexByte(data, '\n') + 1
		if data[0] == '.' {
			w.WriteByte('.')
		}
		w.Write(data[:n])
		data = data[n:]
	}
	w.WriteString(".\r\n")
	return w.Flush()
}
