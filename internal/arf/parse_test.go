package arf

import (
	"bytes"
	"errors"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func parseFile(t *testing.T, name string) *Report {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return r
}

// RFC 5965 Appendix B.1: only the required fields.
func TestRFC5965SimpleReport(t *testing.T) {
	r := parseFile(t, "rfc5965-b1.eml")
	if r.FeedbackType != TypeAbuse || r.UserAgent != "SomeGenerator/1.0" || r.Version != "1" {
		t.Errorf("required fields %q %q %q", r.FeedbackType, r.UserAgent, r.Version)
	}
	if r.OriginalMailFrom != "" || r.OriginalRcptTo != nil || r.SourceIP.IsValid() {
		t.Errorf("optional fields set: %+v", r)
	}
	if r.Subject != "FW: Earn money" {
		t.Errorf("subject %q", r.Subject)
	}
	if got := r.HeaderValue("message-id"); got != "8787KJKJ3K4J3K4J3K4J3.mail@example.net" {
		t.Errorf("reported Message-ID %q", got)
	}
	if v := r.View(); v == nil || v.Subject != "Earn money" {
		t.Errorf("reported view %+v", v)
	}
	if !bytes.HasSuffix(r.Original, []byte("Spam Spam Spam")) || r.Truncated {
		t.Errorf("original %q truncated %v", r.Original, r.Truncated)
	}
}

// RFC 5965 Appendix B.2: the optional fields too.
func TestRFC5965FullReport(t *testing.T) {
	r := parseFile(t, "rfc5965-b2.eml")
	if r.OriginalMailFrom != "somespammer@example.net" || !slices.Equal(r.OriginalRcptTo, []string{"user@example.com"}) {
		t.Errorf("envelope %q %q", r.OriginalMailFrom, r.OriginalRcptTo)
	}
	edt := time.FixedZone("EDT", -4*3600)
	if want := time.Date(2005, 3, 8, 14, 0, 0, 0, edt); !r.ArrivalDate.Equal(want) {
		t.Logf("arrival %v (a named zone Go does not know is read as UTC+0)", r.ArrivalDate)
		if !r.ArrivalDate.Equal(time.Date(2005, 3, 8, 14, 0, 0, 0, time.UTC)) {
			t.Errorf("arrival date %v", r.ArrivalDate)
		}
	}
	if r.ReportingMTA != "dns; mail.example.com" || r.SourceIP != netip.MustParseAddr("192.0.2.1") {
		t.Errorf("mta %q ip %v", r.ReportingMTA, r.SourceIP)
	}
	if !slices.Equal(r.ReportedDomain, []string{"example.net"}) ||
		!slices.Equal(r.ReportedURI, []string{"http://example.net/earn_money.html", "mailto:user@example.com"}) {
		t.Errorf("reported %q %q", r.ReportedDomain, r.ReportedURI)
	}
	if len(r.AuthResults) != 1 || !strings.Contains(r.AuthResults[0], "spf=fail smtp.mail=somespammer@example.com") ||
		strings.ContainsAny(r.AuthResults[0], "\r\n") {
		t.Errorf("auth results %q", r.AuthResults)
	}
	if v := r.View(); v == nil || len(v.From.Addrs()) != 1 || v.From.Addrs()[0] != "somespammer@example.net" {
		t.Errorf("reported From %+v", v)
	}
}

// A draft-era report with a byte-order mark and Received-Date.
func TestDraftReport(t *testing.T) {
	r := parseFile(t, "mimekit-feedback-report.eml")
	if r.FeedbackType != TypeAbuse || !slices.Equal(r.OriginalRcptTo, []string{"user@example.com"}) || r.ArrivalDate.IsZero() {
		t.Errorf("report %+v", r)
	}
}

func TestNotReports(t *testing.T) {
	for name, msg := range map[string]string{
		"plain":       "From: a@example.com\r\nSubject: hi\r\n\r\nhello\r\n",
		"other type":  "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n",
		"no boundary": "Content-Type: multipart/report; report-type=feedback-report\r\n\r\nx\r\n",
	} {
		if _, err := Parse(strings.NewReader(msg)); !errors.Is(err, ErrNotReport) {
			t.Errorf("%s: %v, want ErrNotReport", name, err)
		}
	}
}

func TestMalformed(t *testing.T) {
	head := "Content-Type: multipart/report; report-type=feedback-report; boundary=b\r\n\r\n"
	for name, body := range map[string]string{
		"no feedback part":  "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--\r\n",
		"no feedback type":  "--b\r\nContent-Type: message/feedback-report\r\n\r\nUser-Agent: x\r\n--b--\r\n",
		"unterminated part": "--b\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\n",
	} {
		if _, err := Parse(strings.NewReader(head + body)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
}

// Base64 and quoted-printable parts are decoded.
func TestEncodedParts(t *testing.T) {
	msg := "Content-Type: multipart/report; report-type=feedback-report; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: message/feedback-report\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		"RmVlZGJhY2stVHlwZTogYWJ1c2UNCk9yaWdp\r\nbmFsLVJjcHQtVG86IHVAZXhhbXBsZS5uZXQNCg==\r\n" +
		"--b\r\nContent-Type: text/rfc822-headers\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"Subject: =3D?utf-8?b?W1FDXSDGr3UgxJHDo2k=3D?=3D\r\nFeedback-ID: c1:adv:d91:milter91\r\n\r\n--b--\r\n"
	r, err := Parse(strings.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.OriginalRcptTo, []string{"u@example.net"}) {
		t.Errorf("base64 fields: rcpt %q", r.OriginalRcptTo)
	}
	if v := r.View(); v == nil || v.Subject != "[QC] Ưu đãi" || r.HeaderValue("Feedback-ID") != "c1:adv:d91:milter91" {
		t.Errorf("qp header: %+v %q", v, r.HeaderValue("Feedback-ID"))
	}
}

// A reported message over MaxOriginal is kept cut, and said so.
func TestOriginalBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("Content-Type: multipart/report; report-type=feedback-report; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\n" +
		"--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: big\r\n\r\n")
	line := strings.Repeat("x", 998) + "\r\n"
	for b.Len() < MaxInput+len(line) {
		b.WriteString(line)
	}
	r, err := Parse(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Original) != MaxOriginal || !r.Truncated || r.HeaderValue("Subject") != "big" {
		t.Errorf("original %d bytes truncated %v", len(r.Original), r.Truncated)
	}
}

// The Feedback-Type is counted by type in the Art. 10.7 report, and a
// report is anybody's to send to the abuse mailbox: a registered or
// token-shaped type is kept (lower-cased), free text (control
// characters, spaces, markup, a kilobyte) is counted as "other".
func TestFeedbackTypeShape(t *testing.T) {
	for in, want := range map[string]string{
		"Abuse": TypeAbuse, "not-spam": TypeNotSpam, "x-vendor.type_1": "x-vendor.type_1",
		"\x00\n<script>": TypeOther, "spam spam": TypeOther, strings.Repeat("a", 100): TypeOther,
		"": TypeAbuse,
	} {
		if got := Reported(in, []byte("Subject: x\r\n\r\n")).FeedbackType; got != want {
			t.Errorf("Reported(%q).FeedbackType = %q, want %q", in, got, want)
		}
	}
	raw := "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=feedback-report; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nreport\r\n" +
		"--b\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: <b>spam</b>\r\nUser-Agent: x/1\r\nVersion: 1\r\n\r\n" +
		"--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: x\r\n\r\nbody\r\n--b--\r\n"
	r, err := Parse(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if r.FeedbackType != TypeOther {
		t.Errorf("Parse: FeedbackType %q, want other", r.FeedbackType)
	}
}
