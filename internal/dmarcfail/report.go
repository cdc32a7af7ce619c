// Package dmarcfail builds and sends DMARC failure reports (RFC 9991):
// one authentication failure report (RFC 6591, in the Abuse Reporting
// Format of RFC 5965) per message that fails DMARC, to the verified ruf
// destinations of the policy domain, rate-limited per domain and off the
// milter's goroutines. The reported message's header goes with it, the
// local parts of its addresses redacted (RFC 6590 §4) unless the
// operator turns that off; the body never does.
package dmarcfail

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"milter91/internal/mailmsg"
)

// Report is one failure report's content. Strings are as the milter saw
// them; Message writes them without CR or LF of their own.
type Report struct {
	// From is the reporter's address (the report's From, RFC 9991 §5),
	// To the verified destination addresses.
	From string
	To   []string
	// ReportingMTA names the reporting host (the authserv-id);
	// UserAgent the software ("milter91 1.2.3").
	ReportingMTA, UserAgent string
	// Arrival is when the message was answered; SourceIP its SMTP client
	// (invalid: not written).
	Arrival  time.Time
	SourceIP netip.Addr
	// MailFrom is the envelope sender, "" for <>.
	MailFrom string
	// Domain is the RFC5322.From domain (Reported-Domain).
	Domain string
	// AuthResults is our Authentication-Results value (RFC 6591 §3.1
	// requires the field).
	AuthResults string
	// SPFAligned and DKIMAligned give Identity-Alignment (RFC 9991 §5).
	SPFAligned, DKIMAligned bool
	// Delivery is the Delivery-Result (RFC 6591 §3.1): delivered, spam,
	// policy, reject or other.
	Delivery string
	// Header is the reported message's header block.
	Header []mailmsg.Field
	// Redact replaces the local part of every address in Header and
	// MailFrom by Redacted.
	Redact bool
}

// Redacted is what a redacted local part becomes (RFC 6590 §4 lets the
// reporter choose the string).
const Redacted = "redacted"

// Message returns r as a multipart/report; report-type=feedback-report
// message (RFC 5965 §2) with CRLF line ends: a text part, the
// message/feedback-report fields with Feedback-Type: auth-failure and
// Auth-Failure: dmarc (RFC 6591 §3.1, RFC 9991 §5), and the reported
// header as text/rfc822-headers. now dates the report.
func (r *Report) Message(now time.Time) []byte {
	boundary := "=_milter91_fail_" + randomHex()
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\r\n", args...) }
	w("From: <%s>", oneLine(r.From))
	w("To: <%s>", oneLine(strings.Join(r.To, ">, <")))
	w("Subject: DMARC failure report for %s from %s", oneLine(r.Domain), oneLine(r.ReportingMTA))
	w("Date: %s", now.UTC().Format(time.RFC1123Z))
	w("Message-ID: <%s.dmarc-failure@%s>", randomHex(), oneLine(r.ReportingMTA))
	w("Auto-Submitted: auto-generated")
	w("MIME-Version: 1.0")
	w("Content-Type: multipart/report; report-type=feedback-report; boundary=\"%s\"", boundary)
	w("")
	w("--%s", boundary)
	w("Content-Type: text/plain; charset=us-ascii")
	w("")
	w("A message from %s failed DMARC at %s. This is an authentication failure report (RFC 6591, RFC 9991).", oneLine(r.Domain), oneLine(r.ReportingMTA))
	w("--%s", boundary)
	w("Content-Type: message/feedback-report")
	w("")
	r.writeFields(w)
	w("--%s", boundary)
	w("Content-Type: text/rfc822-headers")
	w("")
	for _, f := range r.Header {
		writeField(&b, f, r.Redact)
	}
	w("--%s--", boundary)
	return b.Bytes()
}

// writeFields writes the feedback-report fields (RFC 5965 §3.1, RFC 6591
// §3.1, RFC 9991 §5).
func (r *Report) writeFields(w func(string, ...any)) {
	w("Feedback-Type: auth-failure")
	w("User-Agent: %s", oneLine(r.UserAgent))
	w("Version: 1")
	mailFrom := r.MailFrom
	if r.Redact {
		mailFrom = RedactLocalParts(mailFrom)
	}
	w("Original-Mail-From: <%s>", oneLine(mailFrom))
	w("Arrival-Date: %s", r.Arrival.UTC().Format(time.RFC1123Z))
	w("Reporting-MTA: dns; %s", oneLine(r.ReportingMTA))
	if r.SourceIP.IsValid() {
		w("Source-IP: %s", r.SourceIP)
	}
	w("Reported-Domain: %s", oneLine(r.Domain))
	w("Authentication-Results: %s", oneLine(r.AuthResults))
	w("Auth-Failure: dmarc")
	w("Identity-Alignment: %s", alignment(r.DKIMAligned, r.SPFAligned))
	w("Delivery-Result: %s", oneLine(r.Delivery))
}

// alignment is the Identity-Alignment value: the aligned methods or none.
func alignment(dkim, spf bool) string {
	switch {
	case dkim && spf:
		return "dkim, spf"
	case dkim:
		return "dkim"
	case spf:
		return "spf"
	}
	return "none"
}

// writeField writes f with CRLF line ends, each continuation line
// starting with whitespace so that no line of the original can end the
// field or the part.
func writeField(b *bytes.Buffer, f mailmsg.Field, redact bool) {
	v := f.Value
	if redact {
		v = RedactLocalParts(v)
	}
	b.WriteString(oneLine(f.Name))
	b.WriteByte(':')
	for i, line := range strings.Split(v, "\n") {
		line = strings.TrimRight(line, "\r")
		if i > 0 {
			b.WriteString("\r\n")
			if line == "" {
				continue
			}
		}
		if line != "" && line[0] != ' ' && line[0] != '\t' {
			b.WriteByte(' ')
		}
		b.WriteString(strings.ReplaceAll(line, "\r", ""))
	}
	b.WriteString("\r\n")
}

// RedactLocalParts replaces the local part before each "@" of s (the run
// of RFC 5322 atext, dots and a quoted string's content back to a
// delimiter) by Redacted: "Ann <ann.lee@example.com>" becomes
// "Ann <redacted@example.com>". Linear in len(s): each byte is looked
// at once going back, as the scan stops at the previous "@".
func RedactLocalParts(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '@' {
			continue
		}
		j := i
		if j > last && s[j-1] == '"' { // a quoted local part, spaces and all
			if k := strings.LastIndexByte(s[last:j-1], '"'); k >= 0 {
				j = last + k
			}
		}
		for j > last && localByte(s[j-1]) {
			j--
		}
		if j < i {
			b.WriteString(s[last:j])
			b.WriteString(Redacted)
		} else {
			b.WriteString(s[last:i])
		}
		b.WriteByte('@')
		last = i + 1
	}
	b.WriteString(s[last:])
	return b.String()
}

// localByte reports whether c can be part of a local part: atext, dot,
// or a quote (a quoted local part is redacted with its quotes).
func localByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c >= 0x80:
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~.\"", c) >= 0
}

// oneLine drops CR and LF so that a value cannot start a new field.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r", "", "\n", "").Replace(s)
}

func randomHex() string {
	var p [12]byte
	_, _ = rand.Read(p[:]) // crypto/rand.Read never fails (Go 1.24)
	return hex.EncodeToString(p[:])
}
