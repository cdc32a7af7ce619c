package content

import (
	"context"
	"slices"
	"strings"
	"testing"

	"milter91/decree"
	"milter91/internal/mailmsg"
	"milter91/internal/txn"
)

// find reads a raw message (LF line ends) and returns its signals.
func find(t *testing.T, raw string) []string {
	t.Helper()
	h, body, err := txn.ReadMessage(strings.NewReader(raw), 0, "")
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	tr := &txn.Transaction{Headers: h, Body: body}
	v := mailmsg.NewView(h)
	return Find(v, decree.ReadBody(context.Background(), v, tr.BodyReader(), 0, 64<<10))
}

const clean = "From: Alice <alice@example.com>\nTo: bob@example.net\nDate: Mon, 1 Dec 2026 10:00:00 +0000\n" +
	"Message-ID: <1@example.com>\nSubject: hi\n"

func TestCleanMessageHasNoSignal(t *testing.T) {
	if got := find(t, clean+"\nHello Bob, see https://www.example.com/page. Khuyến mãi đặc biệt.\n"); len(got) != 0 {
		t.Errorf("signals %q, want none", got)
	}
}

func TestSignals(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		want      []string
	}{
		{"html only", clean + "Content-Type: text/html\n\n<p>Hi</p>\n", []string{HTMLOnly}},
		{"html with a plain alternative", clean + "Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\nHi\n--b\nContent-Type: text/html\n\n<p>Hi</p>\n--b--\n", nil},
		{"ip link", clean + "\nclick http://192.0.2.7/login now\n", []string{IPLink}},
		{"shortener", clean + "\nsee https://bit.ly/3xYz and www.tinyurl.com/abc\n", []string{ShortenerLink}},
		{"zero-width", clean + "\nfr\u200bee mo\u200dney\n", []string{InvisibleText}},
		{"cyrillic a in paypal", clean + "\nlog in to your p\u0430ypal account\n", []string{MixedScript}},
		{"executable", clean + "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nsee attached\n" +
			"--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"setup.exe\"\n\nMZ\n--b--\n", []string{DangerousAttachment}},
		{"double extension", clean + "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nsee attached\n" +
			"--b\nContent-Type: application/octet-stream; name=\"invoice.pdf.scr\"\n\nMZ\n--b--\n", []string{DangerousAttachment, DoubleExtension}},
		{"a pdf is no executable", clean + "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nx\n" +
			"--b\nContent-Type: application/pdf; name=\"report.2026.pdf\"\n\n%PDF\n--b--\n", nil},
		{"freemail reply-to", strings.Replace(clean, "Subject: hi\n", "Subject: hi\nReply-To: claims@gmail.com\n", 1) + "\nx\n", []string{FreemailReplyTo}},
		{"freemail reply-to to the same freemail", "From: a@gmail.com\nTo: b@example.net\nDate: Mon, 1 Dec 2026 10:00:00 +0000\nMessage-ID: <1@x>\nReply-To: c@gmail.com\n\nx\n", nil},
		{"no date, no message-id, undisclosed", "From: a@example.com\nTo: undisclosed-recipients:;\n\nx\n", []string{MissingDate, MissingMessageID, UndisclosedRecipients}},
		{"many recipients", strings.Replace(clean, "To: bob@example.net", "To: "+strings.TrimSuffix(strings.Repeat("u@example.net, ", 51), ", "), 1) + "\nx\n", []string{ManyRecipients}},
	} {
		got := find(t, tc.raw)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestVietnameseIsNotMixedScript(t *testing.T) {
	for _, s := range []string{"Khuyến mãi đặc biệt", "ĐẶT HÀNG NGAY", "Москва and Paris", "αβγ abc"} {
		if mixedScript(s) {
			t.Errorf("mixedScript(%q) = true", s)
		}
	}
	if !mixedScript("Gооgle") { // two Cyrillic o
		t.Error("mixedScript(Gооgle) = false")
	}
}

func FuzzFind(f *testing.F) {
	f.Add(clean + "Reply-To: a@gmail.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/html\n\n<a href=http://[::1]/>p\u0430y</a>\n--b\nContent-Disposition: attachment; filename=a.pdf .exe\n\nx\n--b--\n")
	f.Fuzz(func(t *testing.T, raw string) {
		h, body, err := txn.ReadMessage(strings.NewReader(raw), 0, "")
		if err != nil {
			return
		}
		defer body.Close()
		tr := &txn.Transaction{Headers: h, Body: body}
		v := mailmsg.NewView(h)
		for _, s := range Find(v, decree.ReadBody(context.Background(), v, tr.BodyReader(), 0, 4096)) {
			if !slices.Contains(Signals, s) {
				t.Fatalf("unknown signal %q", s)
			}
		}
	})
}
