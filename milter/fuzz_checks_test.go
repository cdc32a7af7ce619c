package milter

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	gomilter "github.com/d--j/go-milter"

	"milter91/internal/txn"
)

// check asserts that a stage's answer is continue, or a well-formed reject
// at RCPT (early) and body (size); an error must be a connection that the
// server may close, never a timeout.
func (d *fuzzDriver) check(act *gomilter.Action, err error, what string) {
	d.t.Helper()
	dropped := isDrop(err)
	switch {
	case d.dead: // the client refuses calls on a failed session
	case errors.Is(err, os.ErrDeadlineExceeded):
		d.t.Fatalf("%s: server did not answer within %v", what, fuzzReadLimit)
	case err != nil && (!d.mayDrop || !dropped):
		d.t.Fatalf("%s: %v (connection drop allowed: %v)", what, err, d.mayDrop)
	case err != nil:
		d.dead = true
	case act == nil || act.Type == gomilter.ActionContinue:
	case what == "rcpt" || what == "body":
		checkReply(d.t, act, 5)
	default:
		d.t.Fatalf("%s: got %v, want continue", what, act)
	}
}

// isDrop reports whether err is the connection closed by the other end.
func isDrop(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// smtpReply: code and enhanced code (RFC 3463 §2) and one line of
// printable text.
var smtpReply = regexp.MustCompile(`^([45])[0-9][0-9] ([45])\.[0-9]{1,3}\.[0-9]{1,3} [^\x00-\x1f\x7f]+$`)

// checkReply asserts a well-formed reply of the class (4 or 5) whose code
// and enhanced code agree, within RFC 5321 §4.5.3.1.5's 512 octets.
func checkReply(t *testing.T, act *gomilter.Action, class int) {
	t.Helper()
	m := smtpReply.FindStringSubmatch(act.SMTPReply)
	if m == nil || len(act.SMTPReply) > 510 || m[1] != m[2] || int(act.SMTPCode)/100 != class || m[1] != strconv.Itoa(class) {
		t.Fatalf("reply %v (%q), want a well-formed %dxx reply", act.Type, act.SMTPReply, class)
	}
}

// limitRejected reports whether act is the rejection of the header limits
// or of the size limit, asserting that each comes only for a message that
// may be over its limit and always for one that surely is (the header
// limits are checked first). The server counts name ":" value CRLF per
// header, the empty line and the body; a value grows by at most a CR per LF.
func (d *fuzzDriver) limitRejected(act *gomilter.Action) bool {
	header := act.SMTPReply == "552 5.3.4 Message header exceeds fixed limit"
	size := act.SMTPReply == "552 5.3.4 Message size exceeds fixed limit"
	headLo, headHi := 0, 0
	for _, h := range d.headers {
		headLo += len(h.Name) + len(h.Value) + 3
		headHi += len(h.Name) + 2*len(h.Value) + 3
	}
	fieldsOver := len(d.headers) > fuzzMaxFields
	headerMay, headerSure := fieldsOver || headHi > fuzzMaxHeader, fieldsOver || headLo > fuzzMaxHeader
	lo, hi := headLo+len(d.body)+2, headHi+len(d.body)+2
	switch {
	case d.rawSent:
	case (header && !headerMay) || (!header && headerSure):
		d.t.Fatalf("header of %d fields, %d to %d bytes, limits %d fields and %d bytes: got %v %q",
			len(d.headers), headLo, headHi, fuzzMaxFields, fuzzMaxHeader, act.Type, act.SMTPReply)
	case header:
	case (size && hi <= fuzzMaxSize) || (!size && lo > fuzzMaxSize):
		d.t.Fatalf("message of %d to %d bytes, limit %d: got %v %q", lo, hi, fuzzMaxSize, act.Type, act.SMTPReply)
	}
	return header || size
}

// end sends end of message (after an empty chunk when none was sent:
// go-milter's client needs one) and checks the answer against the mode and
// what the evaluator received against what was sent.
func (d *fuzzDriver) end() {
	if d.st == stEOH {
		act, err := d.s.BodyChunk(nil)
		if err == nil && d.limitRejected(act) {
			d.abort()
			return
		}
		if d.check(act, err, "empty body"); d.dead {
			return
		}
	}
	mods, act, err := d.s.End()
	d.st = stHelo
	if err != nil {
		d.check(nil, err, "end of message")
		return
	}
	snaps := d.ev.snapshots()
	d.ev.reset(int(d.ev.mode.Load()), d.ev.early != nil)
	checkMods(d.t, mods)
	if d.limitRejected(act) || d.rawSent {
		return
	}
	if len(snaps) != 1 {
		d.t.Fatalf("%d evaluations for one message", len(snaps))
	}
	d.checkSeen(snaps[0])
	hasMod := func(typ gomilter.ModifyActionType, name string) bool {
		return slices.ContainsFunc(mods, func(m gomilter.ModifyAction) bool { return m.Type == typ && m.HeaderName == name })
	}
	switch mode := int(d.ev.mode.Load()); {
	case mode == modeReject:
		checkReply(d.t, act, 5)
	case mode == modeTempfail || mode >= modeError:
		checkReply(d.t, act, 4)
	case act.Type != gomilter.ActionAccept:
		d.t.Fatalf("mode %d: got %v %q, want accept", mode, act.Type, act.SMTPReply)
	case mode == modeTag && !hasMod(gomilter.ActionAddHeader, "X-Spam-Flag"),
		mode == modeQuarantine && !hasMod(gomilter.ActionQuarantine, ""):
		d.t.Fatalf("mode %d: modifications %v lack the verdict's", mode, mods)
	}
}

// checkSeen compares what the evaluator got with what was sent: envelope
// addresses that the protocol carries as they are (no NUL, no angle
// brackets), header names and values (line ends compared as LF: the server
// restores the CRLF that the MTA sends as LF) and the body bytes.
func (d *fuzzDriver) checkSeen(s snapshot) {
	plain := func(a ...string) bool { return !strings.ContainsAny(strings.Join(a, ""), "<>\x00") }
	if plain(d.from) && s.T.MailFrom != d.from {
		d.t.Fatalf("MAIL FROM %q reached the evaluator as %q", d.from, s.T.MailFrom)
	}
	if plain(d.rcpts...) && !slices.Equal(s.T.Rcpts, d.rcpts) {
		d.t.Fatalf("recipients %q reached the evaluator as %q", d.rcpts, s.T.Rcpts)
	}
	lf := func(v string) string { return strings.ReplaceAll(v, "\r\n", "\n") }
	if !slices.EqualFunc(s.T.Headers, d.headers, func(a, b txn.Header) bool { return a.Name == b.Name && lf(a.Value) == lf(b.Value) }) {
		d.t.Fatalf("headers sent %q, evaluated %q", d.headers, s.T.Headers)
	}
	if s.BodyLen != int64(len(d.body)) || s.BodySum != sha256.Sum256(d.body) {
		d.t.Fatalf("body: %d bytes sent, %d evaluated (same bytes: %v)", len(d.body), s.BodyLen, s.BodySum == sha256.Sum256(d.body))
	}
}

// headerName is RFC 5322 §3.6.8 ftext.
var headerName = regexp.MustCompile(`^[!-9;-~]+$`)

// checkMods asserts modifications that the MTA applies safely: valid
// header names; values without NUL in which every CR or LF is part of a
// line break followed by a space or tab (RFC 5322 §2.2.3 folding, so no
// header injection); a non-empty one-line quarantine reason.
func checkMods(t *testing.T, mods []gomilter.ModifyAction) {
	t.Helper()
	for _, m := range mods {
		bad := m.Type != gomilter.ActionQuarantine && !headerName.MatchString(m.HeaderName)
		v := m.HeaderValue
		for i := 0; i < len(v); i++ {
			next := byte(0)
			if i+1 < len(v) {
				next = v[i+1]
			}
			switch c := v[i]; {
			case c == '\r' && next == '\n':
			case c == 0, (c == '\r' || c == '\n') && next != ' ' && next != '\t':
				bad = true
			}
		}
		switch m.Type {
		case gomilter.ActionAddHeader, gomilter.ActionInsertHeader, gomilter.ActionChangeHeader:
		case gomilter.ActionQuarantine:
			bad = bad || m.Reason == "" || strings.ContainsFunc(m.Reason, func(r rune) bool { return r < 0x20 || r == 0x7f })
		default:
			bad = true
		}
		if bad {
			t.Fatalf("modification %+v", m)
		}
	}
}

// rawCodes are the commands a raw packet may carry (Q quits, X is none).
// Replies come for RCPT, body and end of message only: the negotiated
// protocol suppresses the others.
const rawCodes = "CHMRTLNBEADKUQX"

// rawPacket sends a packet the client API cannot produce (any command in
// any stage, malformed payloads) and checks the replies it may get.
func (d *fuzzDriver) rawPacket() {
	code := rawCodes[int(d.byte())%len(rawCodes)]
	data := []byte(d.str())
	d.mayDrop, d.rawSent = true, true
	pkt := append(binary.BigEndian.AppendUint32(nil, uint32(len(data)+1)), code)
	_ = d.raw.SetDeadline(time.Now().Add(fuzzReadLimit))
	defer d.raw.SetDeadline(time.Time{})
	if _, err := d.raw.Write(append(pkt, data...)); err != nil || !strings.ContainsRune("RBE", rune(code)) {
		d.check(nil, err, "raw write")
		return
	}
	for {
		var hdr [5]byte
		_, err := io.ReadFull(d.raw, hdr[:])
		n := binary.BigEndian.Uint32(hdr[:])
		if err == nil && (n == 0 || n > 1<<16) {
			d.t.Fatalf("raw %c: reply of %d bytes", code, n)
		}
		reply := make([]byte, max(n, 1)-1)
		if _, rerr := io.ReadFull(d.raw, reply); err != nil || rerr != nil {
			d.check(nil, errors.Join(err, rerr), "raw read")
			return
		}
		switch c := hdr[4]; {
		case c == 'y':
			text := strings.TrimSuffix(string(reply), "\x00")
			smtpCode, _ := strconv.Atoi(text[:min(3, len(text))])
			checkReply(d.t, &gomilter.Action{Type: gomilter.ActionRejectWithCode, SMTPCode: uint16(smtpCode), SMTPReply: text}, smtpCode/100)
			return
		case strings.ContainsRune("acrtd", rune(c)):
			return
		case c == 'p', code == 'E' && strings.ContainsRune("him-q", rune(c)):
		default:
			d.t.Fatalf("raw %c: reply code %q", code, c)
		}
	}
}

// oversize sends a packet over a limit: one announcing a length over
// go-milter's maximum packet size (with a few bytes of it), or a body
// chunk over the negotiated 64 KiB. The server must close the connection.
func (d *fuzzDriver) oversize() {
	var pkt []byte
	if d.byte()&1 == 0 {
		pkt = binary.BigEndian.AppendUint32(nil, gomilter.DefaultMaxPacketSize+1+uint32(d.u16()))
		pkt = append(pkt, rawCodes[int(d.byte())%len(rawCodes)])
		pkt = append(pkt, d.str()...)
	} else {
		n := int(gomilter.DataSize64K) + 1 + int(d.byte())
		pkt = append(binary.BigEndian.AppendUint32(nil, uint32(n+1)), 'B')
		pkt = append(pkt, make([]byte, n)...)
	}
	d.mayDrop, d.rawSent, d.dead = true, true, true
	_ = d.raw.SetDeadline(time.Now().Add(fuzzReadLimit))
	if _, err := d.raw.Write(pkt); err != nil && !isDrop(err) {
		d.t.Fatalf("oversize packet: write: %v", err)
	}
	if n, err := io.Copy(io.Discard, d.raw); err != nil && !isDrop(err) {
		d.t.Fatalf("oversize packet: connection not closed (%d bytes read): %v", n, err)
	}
}
