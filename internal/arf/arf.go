// Package arf parses email feedback reports, the Abuse Reporting Format
// (RFC 5965): a multipart/report; report-type=feedback-report message
// whose parts are a human-readable text, the machine-readable
// message/feedback-report fields and the reported message (message/rfc822,
// or its header alone as text/rfc822-headers). Users' spam reports and the
// feedback loops of large mailbox providers arrive in it (Decree 91/2020
// Art. 10.2, 12.1).
//
// Parse reads at most MaxInput bytes, keeps at most MaxOriginal bytes of
// the reported message and MaxFields fields of any header block: time and
// memory are linear in the input and bounded whatever it holds.
package arf

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"milter91/internal/mailmsg"
)

// Limits (our choice): a report is a few KiB; the reported message is
// kept as evidence up to MaxOriginal, enough for any header block.
const (
	// MaxInput bounds the bytes Parse reads of a report; what follows is
	// not read (the reported message is then cut).
	MaxInput = 4 << 20
	// MaxOriginal bounds the reported message kept (Report.Original).
	MaxOriginal = 256 << 10
	// MaxFields bounds the fields of the report's header, of the
	// feedback-report part and of the reported header.
	MaxFields = 1000
	// maxHeaderBytes bounds each header block read.
	maxHeaderBytes = 256 << 10
	// maxParts bounds the MIME parts looked at (RFC 5965 §2: three).
	maxParts = 16
	// maxValue bounds each kept field value in bytes.
	maxValue = 2048
)

// Feedback types (RFC 5965 §7.3, RFC 6591, RFC 6650 not-spam).
const (
	TypeAbuse       = "abuse"
	TypeFraud       = "fraud"
	TypeVirus       = "virus"
	TypeOther       = "other"
	TypeNotSpam     = "not-spam"
	TypeAuthFailure = "auth-failure"
)

// Report is one parsed feedback report. Addresses are as written, without
// angle brackets; a field the report lacks is empty.
type Report struct {
	// FeedbackType is the required Feedback-Type (RFC 5965 §3.1),
	// lower-cased; an unregistered type is kept when it is a token of at
	// most maxType bytes (letters, digits, - . _), else it is "other".
	FeedbackType string `json:"feedback_type"`
	UserAgent    string `json:"user_agent"`
	Version      string `json:"version"`
	// OriginalMailFrom and OriginalRcptTo are the reported message's
	// envelope (§3.2, §3.3); a feedback loop that redacts the recipient
	// leaves OriginalRcptTo empty.
	OriginalMailFrom string   `json:"original_mail_from"`
	OriginalRcptTo   []string `json:"original_rcpt_to"`
	// ArrivalDate is Arrival-Date (or the older Received-Date), zero when
	// absent or not an RFC 5322 date.
	ArrivalDate    time.Time  `json:"arrival_date"`
	ReportingMTA   string     `json:"reporting_mta"`
	SourceIP       netip.Addr `json:"source_ip"`
	Incidents      int        `json:"incidents"`
	ReportedDomain []string   `json:"reported_domain"`
	ReportedURI    []string   `json:"reported_uri"`
	AuthResults    []string   `json:"authentication_results"`
	// Subject is the report's own Subject, decoded (RFC 2047).
	Subject string `json:"subject"`
	// Header is the reported message's header block (from its message/rfc822
	// or text/rfc822-headers part), at most MaxFields fields; nil when
	// the report has no such part.
	Header []mailmsg.Field `json:"-"`
	// Original is the reported message as received, at most MaxOriginal
	// bytes; Truncated says that more was there.
	Original  []byte `json:"-"`
	Truncated bool   `json:"original_truncated"`
}

// Errors of Parse. Each is wrapped with detail; match with errors.Is.
var (
	// ErrNotReport: the message is not multipart/report with
	// report-type=feedback-report.
	ErrNotReport = errors.New("not a feedback report (want multipart/report; report-type=feedback-report)")
	// ErrMalformed: the MIME structure or the feedback-report fields are
	// broken, or Feedback-Type is missing.
	ErrMalformed = errors.New("malformed feedback report")
)

// View returns the reported message's header as a message view (From,
// Subject), for the classifier and the Decree 91 analysis; nil without
// a reported header.
func (r *Report) View() *mailmsg.View {
	if r.Header == nil {
		return nil
	}
	return mailmsg.NewView(r.Header)
}

// HeaderValue returns the first value of the reported header's field
// name (case-insensitive), unfolded and trimmed; "" when absent.
func (r *Report) HeaderValue(name string) string {
	for _, f := range r.Header {
		if strings.EqualFold(f.Name, name) {
			return strings.TrimSpace(mailmsg.Unfold(f.Value))
		}
	}
	return ""
}

// setField stores one feedback-report field (RFC 5965 §3.1-3.3);
// unknown fields are ignored, as §3 asks.
func (r *Report) setField(name, value string) {
	v := clip(strings.TrimSpace(mailmsg.Unfold(value)))
	switch strings.ToLower(name) {
	case "feedback-type":
		r.FeedbackType = feedbackType(v)
	case "user-agent":
		r.UserAgent = v
	case "version":
		r.Version = v
	case "original-mail-from":
		r.OriginalMailFrom = unbracket(v)
	case "original-rcpt-to":
		if len(r.OriginalRcptTo) < MaxFields {
			r.OriginalRcptTo = append(r.OriginalRcptTo, unbracket(v))
		}
	case "arrival-date", "received-date":
		if t, err := parseDate(v); err == nil && (r.ArrivalDate.IsZero() || strings.EqualFold(name, "arrival-date")) {
			r.ArrivalDate = t
		}
	case "reporting-mta":
		r.ReportingMTA = v
	case "source-ip":
		if ip, err := netip.ParseAddr(strings.Trim(v, "[]")); err == nil {
			r.SourceIP = ip.Unmap()
		}
	case "incidents":
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			r.Incidents = n
		}
	case "reported-domain":
		r.ReportedDomain = appendBounded(r.ReportedDomain, v)
	case "reported-uri":
		r.ReportedURI = appendBounded(r.ReportedURI, v)
	case "authentication-results":
		r.AuthResults = appendBounded(r.AuthResults, v)
	}
}

func appendBounded(l []string, v string) []string {
	if len(l) >= MaxFields {
		return l
	}
	return append(l, v)
}

// unbracket drops one pair of angle brackets (RFC 5965 §3.2 allows
// addr-spec in them).
func unbracket(v string) string {
	if strings.HasPrefix(v, "<") && strings.HasSuffix(v, ">") {
		return strings.TrimSpace(v[1 : len(v)-1])
	}
	return v
}

// clip cuts v to maxValue bytes.
// maxType bounds an unregistered Feedback-Type in bytes.
const maxType = 32

// feedbackType is v lower-cased when it has the shape of a type name, else
// TypeOther: the types are counted in the Art. 10.7 report, and the text
// is the sender's. "" stays "" (the report lacks the field).
func feedbackType(v string) string {
	v = strings.ToLower(v)
	if len(v) > maxType {
		return TypeOther
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return TypeOther
		}
	}
	return v
}

func clip(v string) string {
	if len(v) > maxValue {
		return strings.ToValidUTF8(v[:maxValue], "")
	}
	return v
}

// dateLayouts are the RFC 5322 §3.3 date-time forms seen in reports
// (with and without the day name, numeric or named zones).
var dateLayouts = []string{time.RFC1123Z, time.RFC1123, "Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04:05 -0700", "2 Jan 2006 15:04:05 MST"}

func parseDate(v string) (time.Time, error) {
	if i := strings.IndexByte(v, '('); i > 0 {
		v = strings.TrimSpace(v[:i]) // a trailing comment, "(UTC)"
	}
	var err error
	for _, l := range dateLayouts {
		var t time.Time
		if t, err = time.Parse(l, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, err
}

// Reported makes a Report from a reported message alone (a user's report
// over the admin API): the feedback type typ ("" means abuse) and the message as
// received, kept up to MaxOriginal bytes, its header parsed.
func Reported(typ string, message []byte) *Report {
	r := &Report{FeedbackType: feedbackType(strings.TrimSpace(typ))}
	if r.FeedbackType == "" {
		r.FeedbackType = TypeAbuse
	}
	r.setOriginal(message)
	return r
}
