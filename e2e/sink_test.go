package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"
)

// sinkMessage is one message the sink accepted: the envelope as given in
// MAIL FROM and RCPT TO, and the DATA bytes after dot-unstuffing, CRLF line
// ends kept, without the final ".\r\n".
type sinkMessage struct {
	From string
	To   []string
	Data []byte
}

// sink is a minimal SMTP server (RFC 5321) that accepts every message and
// keeps it. It advertises 8BITMIME and SMTPUTF8 so that Postfix relays
// 8-bit and UTF-8 messages unchanged.
type sink struct {
	ln      net.Listener
	mu      sync.Mutex
	msgs    []sinkMessage
	arrived chan struct{} // closed and replaced on each new message
	wg      sync.WaitGroup
}

// startSink listens on a free loopback port and serves until close.
func startSink() (*sink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &sink{ln: ln, arrived: make(chan struct{})}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Addr is the sink's HOST:PORT.
func (s *sink) Addr() string { return s.ln.Addr().String() }

func (s *sink) close() {
	s.ln.Close()
	s.wg.Wait()
}

func (s *sink) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			s.serve(c)
		}()
	}
}

// serve runs one SMTP session; any I/O error ends it.
func (s *sink) serve(c net.Conn) {
	r := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	reply := func(lines ...string) bool {
		for _, l := range lines {
			w.WriteString(l + "\r\n")
		}
		return w.Flush() == nil
	}
	if !reply("220 sink.e2e.test ESMTP") {
		return
	}
	var cur sinkMessage
	for {
		c.SetReadDeadline(time.Now().Add(time.Minute))
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		ok := true
		switch verb {
		case "EHLO":
			ok = reply("250-sink.e2e.test", "250-8BITMIME", "250-SMTPUTF8", "250 SIZE 104857600")
		case "HELO", "NOOP":
			ok = reply("250 ok")
		case "RSET":
			cur = sinkMessage{}
			ok = reply("250 ok")
		case "MAIL":
			cur = sinkMessage{From: pathArg(line)}
			ok = reply("250 2.1.0 ok")
		case "RCPT":
			cur.To = append(cur.To, pathArg(line))
			ok = reply("250 2.1.5 ok")
		case "DATA":
			if !reply("354 go ahead") {
				return
			}
			data, err := readDot(r)
			if err != nil {
				return
			}
			cur.Data = data
			s.store(cur)
			cur = sinkMessage{}
			ok = reply("250 2.0.0 stored")
		case "QUIT":
			reply("221 bye")
			return
		default:
			ok = reply("502 5.5.2 not implemented")
		}
		if !ok {
			return
		}
	}
}

// pathArg returns the address between < and > of a MAIL/RCPT line.
func pathArg(line string) string {
	i, j := strings.IndexByte(line, '<'), strings.IndexByte(line, '>')
	if i < 0 || j < i {
		return ""
	}
	return line[i+1 : j]
}

// readDot reads DATA up to the lone "." line and undoes dot-stuffing
// (RFC 5321 §4.5.2), keeping every other byte.
func readDot(r *bufio.Reader) ([]byte, error) {
	var buf bytes.Buffer
	for {
		line, err := r.ReadBytes('\n')
		if err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
		if string(line) == ".\r\n" {
			return buf.Bytes(), nil
		}
		if line[0] == '.' {
			line = line[1:]
		}
		buf.Write(line)
	}
}

func (s *sink) store(m sinkMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	close(s.arrived)
	s.arrived = make(chan struct{})
}

// header returns the header block of m: the bytes up to and including the
// empty line.
func (m sinkMessage) header() []byte {
	if i := bytes.Index(m.Data, []byte("\r\n\r\n")); i >= 0 {
		return m.Data[:i+4]
	}
	return m.Data
}

// body returns the bytes after the header block.
func (m sinkMessage) body() []byte { return m.Data[len(m.header()):] }

// wait returns the first message whose header block contains token,
// waiting up to timeout for it to arrive.
func (s *sink) wait(token string, timeout time.Duration) (sinkMessage, error) {
	deadline := time.After(timeout)
	for {
		s.mu.Lock()
		for _, m := range s.msgs {
			if bytes.Contains(m.header(), []byte(token)) {
				s.mu.Unlock()
				return m, nil
			}
		}
		arrived := s.arrived
		s.mu.Unlock()
		select {
		case <-arrived:
		case <-deadline:
			return sinkMessage{}, fmt.Errorf("sink: no message with %q within %v", token, timeout)
		}
	}
}

// has reports whether a message with token in its header block arrived.
func (s *sink) has(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.msgs {
		if bytes.Contains(m.header(), []byte(token)) {
			return true
		}
	}
	return false
}
