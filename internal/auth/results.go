package auth

import (
	"strconv"
	"strings"

	"milter91/internal/txn"
)

// ResultsHeaderName is the field name ResultsHeader returns (RFC 8601 §2.2).
const ResultsHeaderName = "Authentication-Results"

// foldWidth is the line length ResultsHeader folds at (RFC 5322 §2.1.1).
const foldWidth = 78

// ResultsHeader formats the Authentication-Results field (RFC 8601 §2.2)
// for the facts of one message, for example (unfolded):
//
//	Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=example.com;
//	 dkim=pass header.d=example.com header.s=s1 header.b=AbCd1234;
//	 dmarc=pass (p=reject) header.from=example.com;
//	 arc=pass (sealers lists.example.org) header.oldest-pass=1
//
// value starts with one space, because milters insert values verbatim after
// "name:" (RFC 5322 §3.6 puts a space there by convention). Long values are
// folded with CRLF HTAB between results or properties at 78 columns, never
// inside a quoted string; go-milter turns CRLF into the LF Postfix expects.
//
// spf is omitted when its Result is "" (not checked), and so are dmarc
// and arc. dkim
// gives one dkim= result per signature, or dkim=none without signatures.
// SPF names smtp.mailfrom=<domain> or smtp.helo=<HELO> (RFC 8601 §2.7.2);
// DKIM names header.d, header.s, header.i (only from an i= tag) and
// header.b (RFC 6008); DMARC names header.from and, as a comment, the
// policy; ARC (RFC 8617 §10.1) names header.oldest-pass with pass and
// lists the sealers as a comment. A non-pass result with a Detail carries it as reason= (§2.7).
// Values outside the ABNF token/dot-atom characters are quoted; control
// characters are dropped, so a hostile d= cannot inject header lines.
func ResultsHeader(authservID string, spf txn.SPF, dkim []txn.DKIM, dmarc txn.DMARC, arc txn.ARC) (name, value string) {
	units := []string{formatValue(authservID)}
	var results [][]string
	if spf.Result != "" {
		results = append(results, spfUnits(spf))
	}
	if len(dkim) == 0 {
		results = append(results, []string{"dkim=" + txn.ResultNone})
	}
	for _, d := range dkim {
		results = append(results, dkimUnits(d))
	}
	if dmarc.Result != "" {
		results = append(results, dmarcUnits(dmarc))
	}
	if arc.Result != "" {
		results = append(results, arcUnits(arc))
	}
	if len(results) == 0 {
		results = append(results, []string{txn.ResultNone})
	}
	for _, res := range results {
		units[len(units)-1] += ";"
		units = append(units, res...)
	}
	return ResultsHeaderName, fold(units)
}

func spfUnits(s txn.SPF) []string {
	u := []string{"spf=" + formatValue(s.Result)}
	u = appendReason(u, s.Result, s.Detail)
	prop := "smtp.mailfrom"
	if s.Identity == IdentityHELO {
		prop = "smtp.helo"
	}
	return appendProp(u, prop, s.Domain)
}

func dkimUnits(d txn.DKIM) []string {
	u := appendReason([]string{"dkim=" + formatValue(d.Result)}, d.Result, d.Detail)
	u = appendProp(u, "header.d", d.Domain)
	u = appendProp(u, "header.s", d.Selector)
	u = appendProp(u, "header.i", d.Identity)
	return appendProp(u, "header.b", d.HeaderB)
}

func dmarcUnits(d txn.DMARC) []string {
	u := []string{"dmarc=" + formatValue(d.Result)}
	if d.Policy != "" {
		u = append(u, "(p="+cleanComment(d.Policy)+")")
	}
	u = appendReason(u, d.Result, d.Detail)
	return appendProp(u, "header.from", d.Domain)
}

func arcUnits(a txn.ARC) []string {
	u := []string{"arc=" + formatValue(a.Result)}
	if len(a.Sealers) > 0 {
		names := make([]string, len(a.Sealers))
		for i, d := range a.Sealers {
			names[i] = cleanComment(d)
		}
		u = append(u, "(sealers "+strings.Join(names, ",")+")")
	}
	u = appendReason(u, a.Result, a.Detail)
	if a.Result == txn.ResultPass && a.OldestPass > 0 {
		u = append(u, "header.oldest-pass="+strconv.Itoa(a.OldestPass))
	}
	return u
}

func appendReason(u []string, result, detail string) []string {
	switch {
	case result == txn.ResultPass || detail == "":
		return u
	case result == txn.ResultTemperror:
		// The detail names our resolver's addresses and ports: it stays in
		// the log, recipients read only what happened.
		detail = "temporary DNS failure"
	}
	return append(u, "reason="+quote(detail))
}

func appendProp(u []string, name, value string) []string {
	if value == "" {
		return u
	}
	return append(u, name+"="+formatValue(value))
}

// fold joins units with single spaces, or with CRLF HTAB where the line
// would pass foldWidth; the first line counts the field name and colon.
func fold(units []string) string {
	var b strings.Builder
	col := len(ResultsHeaderName) + 1
	for i, u := range units {
		if i > 0 && col+1+len(u) > foldWidth {
			b.WriteString("\r\n\t")
			col = 1
		} else {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(u)
		col += len(u)
	}
	return b.String()
}
