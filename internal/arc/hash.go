package arc

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/emersion/go-msgauth/dkim"

	"milter91/internal/mailmsg"
)

// ams verifies the ARC-Message-Signature of s (RFC 8617 §4.1.2, §5.1.1:
// as a DKIM signature over the fields of h= and the field itself without
// its b= value). h= must not name ARC-Seal.
func (v *verifier) ams(s *Set) error {
	t := s.ams
	h, alg, err := checkCommon(t)
	if err != nil {
		return err
	}
	if _, ok := t["h"]; !ok || t["bh"] == "" {
		return fmt.Errorf("no bh= or h= tag")
	}
	c, hasC := t["c"]
	if hasC && c == "" {
		return fmt.Errorf("empty c= tag")
	}
	hc, bc, err := canonicalizations(c)
	if err != nil {
		return err
	}
	want, err := base64.StdEncoding.DecodeString(t["bh"])
	if err != nil || !bytes.Equal(want, v.bh[bc]) {
		return fmt.Errorf("body hash does not match")
	}
	var data strings.Builder
	pick := newPicker(v.fields)
	for n := range strings.SplitSeq(t["h"], ":") {
		n = strings.Trim(n, " \t\r\n")
		if strings.EqualFold(n, "ARC-Seal") {
			return fmt.Errorf("h= names ARC-Seal")
		}
		if f := pick.next(n); f != nil {
			c, _ := dkim.CanonicalizeHeader(hc, raw(*f))
			data.WriteString(c)
		}
	}
	self, _ := dkim.CanonicalizeHeader(hc, stripB(raw(*s.AMS)))
	data.WriteString(strings.TrimSuffix(self, "\r\n"))
	return v.check(t, h, alg, data.String())
}

// seal verifies the ARC-Seal of the newest set of sets (RFC 8617
// §5.1.1): relaxed canonicalization of every set's ARC-Authentication-
// Results, ARC-Message-Signature and ARC-Seal, oldest first, the last
// seal without its b= value. An ARC-Seal must not have h= (§4.1.3).
func (v *verifier) seal(sets []*Set) error {
	last := sets[len(sets)-1]
	h, alg, err := checkCommon(last.seal)
	if err != nil {
		return err
	}
	if _, ok := last.seal["h"]; ok {
		return fmt.Errorf("an ARC-Seal must not have h=")
	}
	var data strings.Builder
	for _, s := range sets {
		for _, f := range []*mailmsg.Field{s.AAR, s.AMS, s.Seal} {
			kv := raw(*f)
			if s == last && f == s.Seal {
				kv = stripB(kv)
			}
			c, _ := dkim.CanonicalizeHeader(dkim.CanonicalizationRelaxed, kv)
			if s == last && f == s.Seal {
				c = strings.TrimSuffix(c, "\r\n")
			}
			data.WriteString(c)
		}
	}
	return v.check(last.seal, h, alg, data.String())
}

// canonicalizations parses c= (RFC 6376 §3.5: header[/body], each
// "simple" or "relaxed"). Without c=, relaxed/relaxed: the ValiMail suite
// (case ams_fields_c_na) expects it, as its reference implementation
// (dkimpy) does, where DKIM's own default would be simple/simple; an
// empty h= is likewise accepted (ams_fields_h_empty).
func canonicalizations(c string) (dkim.Canonicalization, dkim.Canonicalization, error) {
	if c == "" {
		return dkim.CanonicalizationRelaxed, dkim.CanonicalizationRelaxed, nil
	}
	hs, bs, _ := strings.Cut(c, "/")
	if bs == "" {
		bs = "simple"
	}
	ok := func(s string) bool { return s == "simple" || s == "relaxed" }
	if !ok(hs) || !ok(bs) {
		return "", "", fmt.Errorf("invalid c=%q", c)
	}
	return dkim.Canonicalization(hs), dkim.Canonicalization(bs), nil
}

// raw is the field as received: Name ":" Value CRLF.
func raw(f mailmsg.Field) string { return f.Name + ":" + f.Value + "\r\n" }

// stripB returns the field kv with the value of its b= tag removed, all
// else kept (RFC 6376 §3.7).
func stripB(kv string) string {
	kv = strings.TrimSuffix(kv, "\r\n")
	colon := strings.IndexByte(kv, ':')
	var out strings.Builder
	out.WriteString(kv[:colon+1])
	for i, part := range strings.Split(kv[colon+1:], ";") {
		if i > 0 {
			out.WriteByte(';')
		}
		name, _, ok := strings.Cut(part, "=")
		if ok && strings.Trim(name, " \t\r\n") == "b" {
			part = part[:strings.IndexByte(part, '=')+1]
		}
		out.WriteString(part)
	}
	out.WriteString("\r\n")
	return out.String()
}

// picker hands out header fields by name, the last unpicked one first
// (RFC 6376 §5.4.2), in time linear in the fields and the picks.
type picker struct {
	byName map[string][]*mailmsg.Field
}

func newPicker(fields []mailmsg.Field) *picker {
	p := &picker{byName: map[string][]*mailmsg.Field{}}
	for i := range fields {
		n := strings.ToLower(fields[i].Name)
		p.byName[n] = append(p.byName[n], &fields[i])
	}
	return p
}

func (p *picker) next(name string) *mailmsg.Field {
	n := strings.ToLower(name)
	l := p.byName[n]
	if len(l) == 0 {
		return nil
	}
	p.byName[n] = l[:len(l)-1]
	return l[len(l)-1]
}
