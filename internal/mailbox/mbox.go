package mailbox

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// ErrTooLarge is reported, wrapped in Message.Err, for a message longer
// than the limit; its bytes are not kept.
var ErrTooLarge = errors.New("message too large")

// Message is one message read.
type Message struct {
	// Source says where it came from: a file's path, "path:N" for the
	// N-th message (from 1) of an mbox, "-" or "-:N" for standard input.
	Source string
	// Data is the message (an mbox's From_ line removed, its >From lines
	// unescaped), nil when Err is set.
	Data []byte
	// Err is why this message could not be read (ErrTooLarge, a file
	// that cannot be opened); reading goes on with the next one.
	Err error
}

// ReadMbox reads the mbox r and calls fn with each message, in order,
// Source set to source + ":N". Text before the first From_ line, when not
// blank, is a message too. A message longer than max bytes is passed with
// ErrTooLarge and skipped; fn's error ends the reading and is returned,
// as is a read error of r. Time is linear in the input; memory holds one
// message of at most max bytes.
func ReadMbox(r io.Reader, source string, max int, fn func(Message) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	s := splitter{max: max, source: source, fn: fn, lineStart: true, afterEmpty: true}
	for {
		piece, err := br.ReadSlice('\n')
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) && !errors.Is(err, io.EOF) {
			return fmt.Errorf("mailbox: %s: %w", source, err)
		}
		if ferr := s.piece(piece); ferr != nil {
			return ferr
		}
		if errors.Is(err, io.EOF) {
			return s.flush()
		}
	}
}

// splitter cuts an mbox into messages, one piece of a line at a time (a
// line longer than the reader's buffer comes in several).
type splitter struct {
	max        int
	source     string
	fn         func(Message) error
	n          int    // messages started
	started    bool   // a From_ line or text opened the current message
	cur        []byte // the current message so far
	tooLarge   bool
	lineStart  bool // the next piece starts a line
	afterEmpty bool // the line before the next one was empty (or none)
	inFromLine bool // the current line is a From_ line: dropped
	emptyLast  bool // cur ends with an empty line (the separator, maybe)
}

var fromLine = []byte("From ")

func (s *splitter) piece(p []byte) error {
	if len(p) == 0 {
		return nil
	}
	if s.lineStart {
		if bytes.HasPrefix(p, fromLine) && s.afterEmpty {
			if err := s.flush(); err != nil {
				return err
			}
			s.started, s.inFromLine = true, true
		} else if !s.started && !isBlank(p) {
			s.started = true
		}
		if len(p) > 1 && p[0] == '>' && bytes.HasPrefix(bytes.TrimLeft(p, ">"), fromLine) {
			p = p[1:] // mboxrd: ">From " → "From ", ">>From " → ">From "
		}
	}
	ends := p[len(p)-1] == '\n'
	if !s.inFromLine && s.started {
		s.emptyLast = s.lineStart && ends && isBlank(p)
		s.append(p)
	}
	if ends {
		s.afterEmpty = s.lineStart && isBlank(p) && !s.inFromLine
		s.inFromLine = false
	}
	s.lineStart = ends
	return nil
}

// isBlank reports whether a whole line p is empty ("\n" or "\r\n").
func isBlank(p []byte) bool {
	return len(p) == 1 && p[0] == '\n' || len(p) == 2 && p[0] == '\r' && p[1] == '\n'
}

func (s *splitter) append(p []byte) {
	if s.tooLarge {
		return
	}
	if len(s.cur)+len(p) > s.max {
		s.tooLarge, s.cur = true, nil
		return
	}
	s.cur = append(s.cur, p...)
}

// flush passes the current message on, without the empty line that
// separates it from the next From_ line.
func (s *splitter) flush() error {
	if !s.started {
		return nil
	}
	s.n++
	m := Message{Source: fmt.Sprintf("%s:%d", s.source, s.n)}
	switch {
	case s.tooLarge:
		m.Err = fmt.Errorf("%w (over %d bytes)", ErrTooLarge, s.max)
	default:
		data := s.cur
		if s.emptyLast {
			data = data[:len(data)-1]
			if n := len(data); n > 0 && data[n-1] == '\r' {
				data = data[:n-1]
			}
		}
		m.Data = bytes.Clone(data)
		if m.Data == nil {
			m.Data = []byte{}
		}
	}
	s.started, s.cur, s.tooLarge, s.emptyLast = false, s.cur[:0], false, false
	return s.fn(m)
}
