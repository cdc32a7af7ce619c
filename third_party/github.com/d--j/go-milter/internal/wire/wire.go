// Package wire includes constants and functions for the raw libmilter protocol
package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

//go:generate go tool stringer -type=Code,ActionCode,ModifyActCode -output=wire_string.go

type Code byte

// Message represents a command sent from milter client
type Message struct {
	Code Code
	Data []byte
}

// MacroCode returns the Code this CodeMacro message is about.
// If the message is not a CodeMacro message, it returns the Code itself.
func (m *Message) MacroCode() Code {
	if m.Code == CodeMacro && len(m.Data) > 0 {
		return Code(m.Data[0])
	}
	return m.Code
}

type ActionCode byte

const (
	ActAccept    ActionCode = 'a' // SMFIR_ACCEPT
	ActContinue  ActionCode = 'c' // SMFIR_CONTINUE
	ActDiscard   ActionCode = 'd' // SMFIR_DISCARD
	ActReject    ActionCode = 'r' // SMFIR_REJECT
	ActTempFail  ActionCode = 't' // SMFIR_TEMPFAIL
	ActReplyCode ActionCode = 'y' // SMFIR_REPLYCODE
	ActSkip      ActionCode = 's' // SMFIR_SKIP [v6]
	ActProgress  ActionCode = 'p' // SMFIR_PROGRESS [v6]
)

type ModifyActCode byte

const (
	ActAddRcpt      ModifyActCode = '+' // SMFIR_ADDRCPT
	ActDelRcpt      ModifyActCode = '-' // SMFIR_DELRCPT
	ActReplBody     ModifyActCode = 'b' // SMFIR_ACCEPT
	ActAddHeader    ModifyActCode = 'h' // SMFIR_ADDHEADER
	ActChangeHeader ModifyActCode = 'm' // SMFIR_CHGHEADER
	ActInsertHeader ModifyActCode = 'i' // SMFIR_INSHEADER
	ActQuarantine   ModifyActCode = 'q' // SMFIR_QUARANTINE
	ActChangeFrom   ModifyActCode = 'e' // SMFIR_CHGFROM [v6]
	ActAddRcptPar   ModifyActCode = '2' // SMFIR_ADDRCPT_PAR [v6]
)

const (
	CodeOptNeg      Code = 'O' // SMFIC_OPTNEG
	CodeMacro       Code = 'D' // SMFIC_MACRO
	CodeConn        Code = 'C' // SMFIC_CONNECT
	CodeQuit        Code = 'Q' // SMFIC_QUIT
	CodeHelo        Code = 'H' // SMFIC_HELO
	CodeMail        Code = 'M' // SMFIC_MAIL
	CodeRcpt        Code = 'R' // SMFIC_RCPT
	CodeHeader      Code = 'L' // SMFIC_HEADER
	CodeEOH         Code = 'N' // SMFIC_EOH
	CodeBody        Code = 'B' // SMFIC_BODY
	CodeEOB         Code = 'E' // SMFIC_BODYEOB
	CodeAbort       Code = 'A' // SMFIC_ABORT
	CodeData        Code = 'T' // SMFIC_DATA
	CodeQuitNewConn Code = 'K' // SMFIC_QUIT_NC [v6]
	CodeUnknown     Code = 'U' // SMFIC_UNKNOWN [v6]
)

// We reject reading/writing messages larger than 512 MB outright.
const maxPacketSize = 512 * 1024 * 1024

// ReadPacket reads one packet from conn. timeout, when not 0, bounds the whole read.
// maxSize is the largest packet length (command byte and data) that is read; a
// larger length is an error and nothing of the packet is read. 0, or a value above
// the protocol maximum of 512 MB, means that maximum.
func ReadPacket(conn net.Conn, timeout time.Duration, maxSize uint32) (*Message, error) {
	if timeout != 0 {
		_ = conn.SetReadDeadline(time.Now().Add(timeout))
		defer func(conn net.Conn) {
			_ = conn.SetReadDeadline(time.Time{})
		}(conn)
	}

	var hdr [4]byte
	msg, err := ReadPacketInto(conn, maxSize, &hdr, nil)
	if err != nil {
		return nil, err
	}
	return &msg, nil
}

// ReadPacketInto reads one packet from r as ReadPacket does, without
// deadlines. hdr holds the length field while it is read (a caller's
// field, so that reading it allocates nothing). The packet data goes into
// buf when it fits in its capacity, so a caller that reuses buf reads the
// usual small packets without allocating; the returned message's Data
// then aliases buf and is only valid until buf is reused. A longer packet
// gets data of its own, allocated as it arrives.
func ReadPacketInto(r io.Reader, maxSize uint32, hdr *[4]byte, buf []byte) (Message, error) {
	// io.EOF before the first byte, io.ErrUnexpectedEOF within the field,
	// as binary.Read reported them
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return Message{}, err
	}
	length := binary.BigEndian.Uint32(hdr[:])
	if length == 0 {
		return Message{}, errors.New("milter: empty packet without command byte")
	}
	if maxSize == 0 || maxSize > maxPacketSize {
		maxSize = maxPacketSize
	}
	if length > maxSize {
		return Message{}, fmt.Errorf("milter: reject to read %d bytes in one message (maximum %d)", length, maxSize)
	}

	var data []byte
	if int(length) <= cap(buf) {
		data = buf[:length]
		if _, err := io.ReadFull(r, data); err != nil {
			return Message{}, err
		}
	} else {
		var err error
		if data, err = readData(r, length); err != nil {
			return Message{}, err
		}
	}
	return Message{Code: Code(data[0]), Data: data[1:]}, nil
}

// PacketLength returns the length field of the packet at the start of b
// (command byte and data, without the 4 bytes of the field itself), and
// false when b is shorter than the field.
func PacketLength(b []byte) (uint32, bool) {
	if len(b) < 4 {
		return 0, false
	}
	return binary.BigEndian.Uint32(b), true
}

// AppendPacket appends msg as one packet (length, command byte, data) to
// dest and returns it like append does; a message too large for the
// protocol is an error and dest is returned unchanged.
func AppendPacket(dest []byte, msg *Message) ([]byte, error) {
	length := len(msg.Data) + 1
	if length > maxPacketSize {
		return dest, fmt.Errorf("milter: cannot write %d bytes in one message", length)
	}
	dest = append(dest, byte(length>>24), byte(length>>16), byte(length>>8), byte(length), byte(msg.Code))
	return append(dest, msg.Data...), nil
}

// readAhead is the most readData allocates before the bytes to fill it arrived.
const readAhead = 64 * 1024

// readData reads exactly n bytes from r. Up to readAhead bytes are allocated at once;
// longer data grows its buffer as it arrives, so a peer that announces a large packet
// and never sends it does not make us hold its size in memory.
func readData(r io.Reader, n uint32) ([]byte, error) {
	if n <= readAhead {
		data := make([]byte, n)
		_, err := io.ReadFull(r, data)
		return data, err
	}
	buf := bytes.NewBuffer(make([]byte, 0, readAhead))
	if _, err := io.CopyN(buf, r, int64(n)); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return buf.Bytes(), nil
}

func WritePacket(conn net.Conn, msg *Message, timeout time.Duration) error {
	if msg == nil {
		return errors.New("msg nil pointer")
	}
	if timeout != 0 {
		_ = conn.SetWriteDeadline(time.Now().Add(timeout))
		defer func(conn net.Conn) {
			_ = conn.SetWriteDeadline(time.Time{})
		}(conn)
	}

	length := len(msg.Data) + 1
	if length > maxPacketSize {
		return fmt.Errorf("milter: cannot write %d bytes in one message", length)
	}

	_, err := conn.Write([]byte{byte(length >> 24), byte(length >> 16), byte(length >> 8), byte(length), byte(msg.Code)})
	if err != nil {
		return err
	}

	if len(msg.Data) == 0 {
		return nil
	}
	_, err = conn.Write(msg.Data)

	return err
}

// AppendUint16 appends the big endian encoding of val to dest. It returns the new dest like append does.
func AppendUint16(dest []byte, val uint16) []byte {
	return append(dest, byte(val>>8), byte(val))
}
