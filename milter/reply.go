package milter

import (
	"strings"
	"unicode/utf8"

	gomilter "github.com/d--j/go-milter"

	"milter91/internal/txn"
)

// failReply is the fail-mode tempfail, the text Postfix itself uses for
// milter trouble (cleanup/milter8.c), so logs read the same either way.
var failReply = txn.Reply{Code: 451, Enhanced: "4.7.1", Text: "Service unavailable - try again later"}

// Fallback replies when the verdict's code is missing or inconsistent.
var (
	fallbackReject   = txn.Reply{Code: 550, Enhanced: "5.7.1", Text: "Message rejected"}
	fallbackTempfail = txn.Reply{Code: 451, Enhanced: "4.7.1", Text: "Try again later"}
)

// maxReplyText caps the reply text in bytes, so that "550 5.7.1 " plus the
// text stays one line within RFC 5321 §4.5.3.1.5's 512 octets.
const maxReplyText = 400

const defaultQuarantineReason = "milter91 quarantine"

// sanitizeReply makes r safe to send for action (txn.ActionTempfail or
// txn.ActionReject).
//
// The code must be 4xx for tempfail and 5xx for reject, and the enhanced
// status code (RFC 3463 §2: class.subject.detail) must have the same class;
// otherwise the code and enhanced code fall back to 451 4.7.1 / 550 5.7.1,
// keeping the text. Postfix checks that the text after the code starts with
// the class digit, or it logs "malformed reply" and applies
// milter_default_action. The text loses CR, LF, NUL and other control
// characters (white space runs become one space), invalid UTF-8, and is cut
// to maxReplyText bytes. '%' is left single here: go-milter's FormatResponse
// doubles it for the wire (Sendmail treats the reply as a format string;
// Postfix turns "%%" back into "%").
func sanitizeReply(action txn.Action, r txn.Reply) txn.Reply {
	fb, class := fallbackReject, 5
	if action == txn.ActionTempfail {
		fb, class = fallbackTempfail, 4
	}
	text := cleanText(r.Text, maxReplyText)
	if text == "" {
		text = fb.Text
	}
	if r.Code/100 != class || !validEnhanced(r.Enhanced, class) {
		return txn.Reply{Code: fb.Code, Enhanced: fb.Enhanced, Text: text}
	}
	return txn.Reply{Code: r.Code, Enhanced: r.Enhanced, Text: text}
}

// validEnhanced reports whether e is an RFC 3463 status code of the given
// class: class "." 1*3digit "." 1*3digit.
func validEnhanced(e string, class int) bool {
	parts := strings.Split(e, ".")
	if len(parts) != 3 || parts[0] != string(rune('0'+class)) {
		return false
	}
	for _, p := range parts[1:] {
		if len(p) < 1 || len(p) > 3 || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}

// cleanText returns s as one line of printable text of at most limit bytes:
// control characters dropped, white space runs (including CR/LF) collapsed
// to one space, invalid UTF-8 replaced by '?'.
func cleanText(s string, limit int) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\r' || r == '\n' || r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.TrimSpace(s[:cut])
}

// quarantineReason is the SMFIR_QUARANTINE text: one clean line (Postfix
// logs it with the hold), never empty.
func quarantineReason(s string) string {
	if s = cleanText(s, maxReplyText); s == "" {
		return defaultQuarantineReason
	}
	return s
}

// replyResponse builds the SMFIR_REPLYCODE response "CODE ENHANCED TEXT" for
// an already sanitized reply. Should go-milter still refuse it, the plain
// SMFIR_TEMPFAIL / SMFIR_REJECT (451 4.7.1 / 550 5.7.1 at Postfix) goes out.
func replyResponse(action txn.Action, r txn.Reply) *gomilter.Response {
	resp, err := gomilter.RejectWithCodeAndReason(uint16(r.Code), r.Enhanced+" "+r.Text)
	if err == nil {
		return resp
	}
	if action == txn.ActionTempfail {
		return gomilter.RespTempFail
	}
	return gomilter.RespReject
}
