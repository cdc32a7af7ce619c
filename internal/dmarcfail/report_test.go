package dmarcfail

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"

	"milter91/internal/arf"
	"milter91/internal/mailmsg"
)

func sampleReport() *Report {
	return &Report{
		From: "dmarc-noreply@mx.example.net", To: []string{"ruf@example.com"},
		ReportingMTA: "mx.example.net", UserAgent: "milter91 test",
		Arrival:  time.Date(2026, 12, 8, 5, 0, 0, 0, time.UTC),
		SourceIP: netip.MustParseAddr("192.0.2.7"), MailFrom: "bounce+ann@example.org", Domain: "example.com",
		AuthResults: "mx.example.net; dmarc=fail header.from=example.com",
		Delivery:    "reject",
		Header: []mailmsg.Field{
			{Name: "Received", Value: " from client.example.org by mx.example.net\r\n\tfor <bob.smith@example.net>; Tue, 8 Dec 2026 05:00:00 +0000"},
			{Name: "From", Value: " Ann <ann.lee@example.com>"},
			{Name: "To", Value: " \"bob smith\"@example.net"},
			{Name: "Subject", Value: " hello"},
		},
		Redact: true,
	}
}

// TestMessageRoundTrip: the report parses with our ARF parser as an
// auth-failure report with the RFC 6591 fields and the reported header.
func TestMessageRoundTrip(t *testing.T) {
	msg := sampleReport().Message(time.Date(2026, 12, 8, 5, 1, 0, 0, time.UTC))
	rep, err := arf.Parse(bytes.NewReader(msg))
	if err != nil {
		t.Fatalf("%v\n%s", err, msg)
	}
	if rep.FeedbackType != arf.TypeAuthFailure || rep.Version != "1" || rep.ReportingMTA != "dns; mx.example.net" ||
		rep.SourceIP != netip.MustParseAddr("192.0.2.7") || len(rep.ReportedDomain) != 1 || rep.ReportedDomain[0] != "example.com" ||
		len(rep.AuthResults) != 1 || rep.AuthResults[0] != "mx.example.net; dmarc=fail header.from=example.com" ||
		!rep.ArrivalDate.Equal(time.Date(2026, 12, 8, 5, 0, 0, 0, time.UTC)) {
		t.Errorf("fields: %+v", rep)
	}
	if rep.OriginalMailFrom != "redacted@example.org" {
		t.Errorf("Original-Mail-From = %q, want the local part redacted", rep.OriginalMailFrom)
	}
	if got := rep.HeaderValue("From"); got != "Ann <redacted@example.com>" {
		t.Errorf("reported From = %q", got)
	}
	if got := rep.HeaderValue("Subject"); got != "hello" || len(rep.Header) != 4 {
		t.Errorf("reported header: %d fields, Subject %q", len(rep.Header), got)
	}
	for _, want := range []string{"\r\nAuth-Failure: dmarc\r\n", "\r\nIdentity-Alignment: none\r\n", "\r\nDelivery-Result: reject\r\n",
		"Content-Type: text/rfc822-headers\r\n", "Auto-Submitted: auto-generated\r\n"} {
		if !bytes.Contains(msg, []byte(want)) {
			t.Errorf("no %q in\n%s", want, msg)
		}
	}
	for _, local := range []string{"ann.lee", "bob.smith", "bob smith", "bounce+ann"} {
		if bytes.Contains(msg, []byte(local)) {
			t.Errorf("local part %q left in the redacted report:\n%s", local, msg)
		}
	}
}

// TestMessageUnredacted: with Redact off the addresses stay as they were.
func TestMessageUnredacted(t *testing.T) {
	r := sampleReport()
	r.Redact = false
	rep, err := arf.Parse(bytes.NewReader(r.Message(time.Now())))
	if err != nil {
		t.Fatal(err)
	}
	if rep.OriginalMailFrom != "bounce+ann@example.org" || rep.HeaderValue("From") != "Ann <ann.lee@example.com>" {
		t.Errorf("unredacted: %q, %q", rep.OriginalMailFrom, rep.HeaderValue("From"))
	}
}

// TestMessageHostileHeader: a reported field whose value holds bare line
// breaks, a boundary-like line and a field-like line cannot end the part
// or add a field to the report.
func TestMessageHostileHeader(t *testing.T) {
	r := sampleReport()
	r.Domain = "example.com\r\nBcc: victim@example.org"
	r.Header = []mailmsg.Field{{Name: "Subject", Value: " a\n--=_milter91_fail_x--\nFeedback-Type: abuse\r\n\r\nbody"}}
	msg := r.Message(time.Now())
	rep, err := arf.Parse(bytes.NewReader(msg))
	if err != nil {
		t.Fatalf("%v\n%s", err, msg)
	}
	if rep.FeedbackType != arf.TypeAuthFailure || len(rep.Header) != 1 {
		t.Errorf("type %q, %d reported fields\n%s", rep.FeedbackType, len(rep.Header), msg)
	}
	if bytes.Contains(msg, []byte("\r\nBcc:")) {
		t.Errorf("a CRLF in a value started a field:\n%s", msg)
	}
}

func TestRedactLocalParts(t *testing.T) {
	for in, want := range map[string]string{
		"Ann <ann.lee@example.com>":                   "Ann <redacted@example.com>",
		`"ann lee"@example.com, bob@example.net`:      "redacted@example.com, redacted@example.net",
		"by mx.example.net for <x+tag@example.org>; ": "by mx.example.net for <redacted@example.org>; ",
		"no address here":                             "no address here",
		"@example.com":                                "@example.com",
		"a@b@c":                                       "redacted@redacted@c",
	} {
		if got := RedactLocalParts(in); got != want {
			t.Errorf("RedactLocalParts(%q) = %q, want %q", in, got, want)
		}
	}
	long := strings.Repeat("a@", 1<<16)
	if got := RedactLocalParts(long); strings.Count(got, Redacted) != 1<<16 {
		t.Errorf("long input: %d redactions", strings.Count(got, Redacted))
	}
}
