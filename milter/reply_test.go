package milter

import (
	"strings"
	"testing"

	"milter91/internal/txn"
)

func TestSanitizeReply(t *testing.T) {
	long := strings.Repeat("é", 300) // 600 bytes
	tests := []struct {
		name   string
		action txn.Action
		in     txn.Reply
		want   string
	}{
		{"valid reject kept", txn.ActionReject, txn.Reply{Code: 554, Enhanced: "5.7.1", Text: "Spam message rejected"}, "554 5.7.1 Spam message rejected"},
		{"RFC 7372 code kept", txn.ActionReject, txn.Reply{Code: 550, Enhanced: "5.7.26", Text: "DMARC policy"}, "550 5.7.26 DMARC policy"},
		{"valid tempfail kept", txn.ActionTempfail, txn.Reply{Code: 450, Enhanced: "4.7.0", Text: "DNS error"}, "450 4.7.0 DNS error"},
		{"enhanced class disagrees", txn.ActionReject, txn.Reply{Code: 550, Enhanced: "4.7.1", Text: "x"}, "550 5.7.1 x"},
		{"code class disagrees with action", txn.ActionReject, txn.Reply{Code: 451, Enhanced: "4.7.1", Text: "x"}, "550 5.7.1 x"},
		{"tempfail given 5xx", txn.ActionTempfail, txn.Reply{Code: 554, Enhanced: "5.7.1", Text: "x"}, "451 4.7.1 x"},
		{"enhanced malformed", txn.ActionReject, txn.Reply{Code: 550, Enhanced: "5.7", Text: "x"}, "550 5.7.1 x"},
		{"enhanced too many digits", txn.ActionReject, txn.Reply{Code: 550, Enhanced: "5.7.1234", Text: "x"}, "550 5.7.1 x"},
		{"enhanced not digits", txn.ActionReject, txn.Reply{Code: 550, Enhanced: "5.x.1", Text: "x"}, "550 5.7.1 x"},
		{"code out of range", txn.ActionReject, txn.Reply{Code: 5500, Enhanced: "5.7.1", Text: "x"}, "550 5.7.1 x"},
		{"zero reply, reject", txn.ActionReject, txn.Reply{}, "550 5.7.1 Message rejected"},
		{"zero reply, tempfail", txn.ActionTempfail, txn.Reply{}, "451 4.7.1 Try again later"},
		{"controls dropped", txn.ActionReject, txn.Reply{Code: 550, Enhanced: "5.7.1", Text: "a\r\nb\x00c\x07d\te  f"}, "550 5.7.1 a bcd e f"},
		{"percent left for go-milter", txn.ActionReject, txn.Reply{Code: 550, Enhanced: "5.7.1", Text: "100% spam"}, "550 5.7.1 100% spam"},
		{"invalid UTF-8 replaced", txn.ActionReject, txn.Reply{Code: 550, Enhanced: "5.7.1", Text: "bad \xff byte"}, "550 5.7.1 bad ? byte"},
		{"only blanks gets default text", txn.ActionReject, txn.Reply{Code: 554, Enhanced: "5.7.1", Text: " \r\n "}, "554 5.7.1 Message rejected"},
		{"long text cut on a rune boundary", txn.ActionReject, txn.Reply{Code: 550, Enhanced: "5.7.1", Text: long}, "550 5.7.1 " + strings.Repeat("é", 200)},
	}
	for _, tc := range tests {
		if got := sanitizeReply(tc.action, tc.in).String(); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestReplyResponseWire(t *testing.T) {
	tests := []struct {
		action txn.Action
		reply  txn.Reply
		want   string
	}{
		{txn.ActionReject, txn.Reply{Code: 550, Enhanced: "5.7.1", Text: "100% spam"}, "response=reply_code action=reject code=550 reason=\"550 5.7.1 100%% spam\""},
		{txn.ActionTempfail, failReply, "response=reply_code action=temp_fail code=451 reason=\"451 4.7.1 Service unavailable - try again later\""},
		{txn.ActionTempfail, txn.Reply{Code: 999, Enhanced: "4.7.1", Text: "x"}, "response=temp_fail"},
		{txn.ActionReject, txn.Reply{Code: 200, Enhanced: "5.7.1", Text: "x"}, "response=reject"},
	}
	for _, tc := range tests {
		if got := replyResponse(tc.action, tc.reply).String(); got != tc.want {
			t.Errorf("%v: got %s, want %s", tc.reply, got, tc.want)
		}
	}
}

func TestQuarantineReason(t *testing.T) {
	tests := []struct{ in, want string }{
		{"decree 91 art. 8", "decree 91 art. 8"},
		{"two\r\nlines", "two lines"},
		{"", defaultQuarantineReason},
		{"\x00", defaultQuarantineReason},
	}
	for _, tc := range tests {
		if got := quarantineReason(tc.in); got != tc.want {
			t.Errorf("quarantineReason(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
