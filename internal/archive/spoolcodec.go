package archive

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
)

// A spooled record is one frame: its payload length (4 bytes, big
// endian), the CRC-32C of the payload (4 bytes), then the payload: a
// version byte and the Record's fields in declaration order, strings as
// a uvarint length and the bytes as they are (a header with 8-bit bytes
// stays byte for byte), string lists as a uvarint count and the strings,
// Time in its binary form (time.Time.MarshalBinary), Score as the
// float64's bits and Size as a varint.

const (
	frameHead    = 8
	spoolVersion = 1
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// errBadFrame reports a frame that is cut short, fails its CRC or does not
// decode: the end of what a segment holds intact.
var errBadFrame = errors.New("damaged spool record")

// appendFrame appends r's frame to b.
func appendFrame(b []byte, r Record) ([]byte, error) {
	start := len(b)
	b = append(b, make([]byte, frameHead)...)
	b = append(b, spoolVersion)
	b, err := r.Time.AppendBinary(b)
	if err != nil {
		return b[:start], err
	}
	for _, s := range []string{r.QueueID, r.Direction, r.ClientIP, r.ClientName, r.HELO, r.MailFrom} {
		b = appendString(b, s)
	}
	b = appendList(b, r.Rcpts)
	for _, s := range []string{r.MessageID, r.From, r.Subject, r.Header, r.Action} {
		b = appendString(b, s)
	}
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(r.Score))
	b = appendList(b, r.Rules)
	b = appendList(b, r.Articles)
	b = appendString(b, r.Advertiser)
	b = appendString(b, r.Reply)
	b = binary.AppendVarint(b, r.Size)
	payload := b[start+frameHead:]
	if len(payload) > math.MaxUint32 {
		return b[:start], errors.New("archive: record too large to spool")
	}
	binary.BigEndian.PutUint32(b[start:], uint32(len(payload)))
	binary.BigEndian.PutUint32(b[start+4:], crc32.Checksum(payload, crcTable))
	return b, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendList(b []byte, l []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(l)))
	for _, s := range l {
		b = appendString(b, s)
	}
	return b
}

// nextFrame decodes the frame at the start of b and returns the record
// and the frame's length; errBadFrame when b does not start with a whole,
// intact frame. It reads only b: linear in len(b), nothing allocated
// beyond the record.
func nextFrame(b []byte) (Record, int, error) {
	if len(b) < frameHead {
		return Record{}, 0, errBadFrame
	}
	n := binary.BigEndian.Uint32(b)
	if uint64(n) > uint64(len(b)-frameHead) {
		return Record{}, 0, errBadFrame
	}
	payload := b[frameHead : frameHead+int(n)]
	if crc32.Checksum(payload, crcTable) != binary.BigEndian.Uint32(b[4:]) {
		return Record{}, 0, errBadFrame
	}
	r, err := decodePayload(payload)
	if err != nil {
		return Record{}, 0, err
	}
	return r, frameHead + int(n), nil
}

// decoder reads a payload; the first error sticks.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.fail()
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) list() []string {
	n := d.uvarint()
	// Each string takes at least one byte: a count beyond what is left is
	// damage, not a reason to allocate.
	if d.err != nil || n > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	var out []string
	for range n {
		out = append(out, d.string())
	}
	return out
}

func (d *decoder) fail() {
	d.err = errBadFrame
	d.b = nil
}

func decodePayload(p []byte) (Record, error) {
	if len(p) < 1 || p[0] != spoolVersion {
		return Record{}, errBadFrame
	}
	d := &decoder{b: p[1:]}
	var r Record
	tlen := 15 // time.Time's binary form: version 1, or 16 with seconds of the zone offset (version 2)
	if len(d.b) > 0 && d.b[0] == 2 {
		tlen = 16
	}
	if len(d.b) < tlen || r.Time.UnmarshalBinary(d.b[:tlen]) != nil {
		return Record{}, errBadFrame
	}
	d.b = d.b[tlen:]
	for _, s := range []*string{&r.QueueID, &r.Direction, &r.ClientIP, &r.ClientName, &r.HELO, &r.MailFrom} {
		*s = d.string()
	}
	r.Rcpts = d.list()
	for _, s := range []*string{&r.MessageID, &r.From, &r.Subject, &r.Header, &r.Action} {
		*s = d.string()
	}
	if len(d.b) < 8 {
		return Record{}, errBadFrame
	}
	r.Score = math.Float64frombits(binary.BigEndian.Uint64(d.b))
	d.b = d.b[8:]
	r.Rules = d.list()
	r.Articles = d.list()
	r.Advertiser = d.string()
	r.Reply = d.string()
	size, n := binary.Varint(d.b)
	if d.err != nil || n <= 0 || n != len(d.b) {
		return Record{}, errBadFrame
	}
	r.Size = size
	return r, nil
}
