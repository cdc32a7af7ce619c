package mailmsg

import "strings"

// View is the header of one message as every check reads it, built once
// by NewView: the fields as received, their values unfolded on request
// (RFC 5322 §2.2.3), the parsed From (§3.6.2, with a Status for a
// missing or unparsable one) and the decoded Subject (RFC 2047). It is
// read-only once built and safe for concurrent use.
type View struct {
	// Fields are the header fields as received, in order.
	Fields []Field
	// From is the RFC 5322.From: every From field parsed.
	From From
	// Subject is the first Subject field unfolded, trimmed and decoded
	// word by word (DecodeHeader); "" when there is none.
	Subject string
}

// NewView parses the From fields and the Subject of fields once; time
// and memory are linear in their size. fields are not copied: they must
// not change while the View is used.
func NewView(fields []Field) *View {
	v := &View{Fields: fields}
	var from []string
	subject, hasSubject := "", false
	for _, f := range fields {
		switch {
		case strings.EqualFold(f.Name, "From"):
			from = append(from, f.Value)
		case !hasSubject && strings.EqualFold(f.Name, "Subject"):
			subject, hasSubject = f.Value, true
		}
	}
	v.From = ParseFrom(from)
	if hasSubject {
		v.Subject = DecodeHeader(strings.TrimSpace(Unfold(subject)))
	}
	return v
}

// Values returns the unfolded values of the fields named name (any case),
// in header order, untrimmed; nil when there is none.
func (v *View) Values(name string) []string {
	var out []string
	for _, f := range v.Fields {
		if strings.EqualFold(f.Name, name) {
			out = append(out, Unfold(f.Value))
		}
	}
	return out
}

// First returns the unfolded value of the first field named name (any
// case) and whether there is one.
func (v *View) First(name string) (string, bool) {
	for _, f := range v.Fields {
		if strings.EqualFold(f.Name, name) {
			return Unfold(f.Value), true
		}
	}
	return "", false
}

// Present reports whether a field named name (any case) has a value that
// is not blank.
func (v *View) Present(name string) bool {
	for _, f := range v.Fields {
		// CR and LF are white space: trimming the raw value is trimming
		// the unfolded one, without the copy.
		if strings.EqualFold(f.Name, name) && strings.TrimSpace(f.Value) != "" {
			return true
		}
	}
	return false
}

// Addresses returns the mailboxes of the address-list fields named name
// (Reply-To, To, …) that parse (ParseAddressList), in order.
func (v *View) Addresses(name string) []Address {
	var out []Address
	for _, f := range v.Fields {
		if strings.EqualFold(f.Name, name) {
			list, _ := ParseAddressList(f.Value)
			out = append(out, list...)
		}
	}
	return out
}
