package rules

import (
	"fmt"
	"regexp"
	"strconv"

	"milter91/internal/txn"
)

// maxReplyText bounds a reply text as written, leaving room in the
// 512-octet reply line (RFC 5321 §4.5.3.1.5) for code, status and values.
const maxReplyText = 400

// replySpec is a rule's reply: SMTP code (RFC 5321 §4.2), enhanced status
// (RFC 3463 §2) and a text template.
type replySpec struct {
	at       Value // the reply mapping
	codeAt   Value
	code     int
	enhanced string
	raw      string // text as written
	text     template
}

// enhancedCode is class.subject.detail (RFC 3463 §2).
var enhancedCode = regexp.MustCompile(`^([245])\.([0-9]{1,3})\.([0-9]{1,3})$`)

// parseReply reads {code: 550, enhanced: 5.7.1, text: "..."}. code and
// text are required; enhanced defaults to <class>.7.1 (RFC 3463 §3.8,
// "delivery not authorized"). It returns nil after reporting any problem.
func parseReply(v Value, errs *errorSink) *replySpec {
	fields, err := v.Fields()
	errs.add(v, err)
	if err != nil {
		return nil
	}
	r := &replySpec{at: v}
	var enhancedAt Value
	ok, hasCode, hasText := true, false, false
	for _, f := range fields {
		var ferr error
		switch f.Key {
		case "code":
			r.codeAt, hasCode = f.Value, true
			ferr = r.setCode(f.Value)
		case "enhanced":
			enhancedAt = f.Value
			r.enhanced, ferr = f.Value.Text()
		case "text":
			hasText = true
			ferr = r.setText(f.Value)
		default:
			ferr = f.KeyAt.Errorf("unknown reply key %q (want code, enhanced, text)", f.Key)
		}
		if ferr != nil {
			errs.add(f.Value, ferr)
			ok = false
		}
	}
	if !hasCode || !hasText {
		errs.add(v, v.Errorf("reply needs code and text"))
		return nil
	}
	if !ok {
		return nil
	}
	class := r.code / 100
	if r.enhanced == "" {
		r.enhanced = fmt.Sprintf("%d.7.1", class)
	}
	m := enhancedCode.FindStringSubmatch(r.enhanced)
	switch {
	case m == nil:
		errs.add(enhancedAt, enhancedAt.Errorf("enhanced status %q is not class.subject.detail, e.g. 5.7.1 (RFC 3463 §2)", r.enhanced))
		return nil
	case m[1] != strconv.Itoa(class):
		errs.add(enhancedAt, enhancedAt.Errorf("enhanced status %s does not agree with code %d (want %d.x.x)", r.enhanced, r.code, class))
		return nil
	}
	return r
}

// setCode reads a 4xx or 5xx code: a milter can only reply with those.
func (r *replySpec) setCode(v Value) error {
	n, err := v.Int()
	if err != nil {
		return err
	}
	if n < 400 || n > 599 || n%100 > 59 {
		return v.Errorf("reply code %d: want a 4xx or 5xx SMTP code (RFC 5321 §4.2)", n)
	}
	r.code = int(n)
	return nil
}

// setText reads the text: printable US-ASCII (RFC 5321 §4.2), placeholders
// checked. A % is fine here; the milter adapter doubles it.
func (r *replySpec) setText(v Value) error {
	s, err := v.Text()
	if err != nil {
		return err
	}
	if s == "" || len(s) > maxReplyText {
		return v.Errorf("reply text must have 1 to %d characters", maxReplyText)
	}
	for _, c := range []byte(s) {
		if c < 0x20 || c > 0x7e {
			return v.Errorf("reply text must be printable US-ASCII on one line (RFC 5321 §4.2), found byte 0x%02x", c)
		}
	}
	t, err := parseTemplate(s)
	if err != nil {
		return v.Errorf("%v", err)
	}
	r.raw, r.text = s, t
	return nil
}

// render builds the SMTP reply with lookup filling the placeholders.
func (r *replySpec) render(lookup func(string) string) txn.Reply {
	return txn.Reply{Code: r.code, Enhanced: r.enhanced, Text: r.text.render(lookup)}
}
