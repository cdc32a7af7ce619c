package dmarcstore

import (
	"strings"

	"milter91/internal/dmarcreport"
	"milter91/internal/txn"
)

// NewEntry builds the stored entry of one answer: the message's DMARC
// inputs when a policy record applied (RFC 9990 §2.1: reports go to
// policy domains), with the disposition actually applied (reject,
// quarantine, or none: accepted or tagged; RFC 9990 §2.1.8 "pass" for a
// DMARC pass). false when there is nothing to report: no evaluation, no
// record, a refusal at RCPT, an authenticated submission (its checks
// were skipped), an internal fault, a deferral (the retry is evaluated
// again).
func NewEntry(a txn.Answer) (Stored, bool) {
	if a.Outcome == nil || a.Fault != "" || a.Stage != "" || a.Action == txn.ActionTempfail {
		return Stored{}, false
	}
	f := &a.Outcome.Facts
	d := f.DMARC
	if d.Record == nil || d.PolicyDomain == "" || (d.Result != txn.ResultPass && d.Result != txn.ResultFail) {
		return Stored{}, false
	}
	e := dmarcreport.Entry{
		Time: a.Time, SourceIP: a.Conn.ClientIP, HeaderFrom: d.Domain, EnvelopeFrom: domainOf(a.MailFrom),
		Policy: dmarcreport.PolicyPublished{
			Domain: d.PolicyDomain, DiscoveryMethod: d.Discovery, P: d.Record.P, SP: d.Record.SP, NP: d.Record.NP,
			FO: d.Record.FO, ADKIM: d.Record.ADKIM, ASPF: d.Record.ASPF, Testing: yn(d.Record.Testing),
		},
		Disposition: disposition(a.Action, d.Result),
		DKIMAligned: d.DKIMAligned, SPFAligned: d.SPFAligned,
	}
	if len(a.Rcpts) > 0 {
		e.EnvelopeTo = domainOf(a.Rcpts[0])
	}
	for _, k := range f.DKIM {
		e.DKIM = append(e.DKIM, dmarcreport.DKIMResult{Domain: k.Domain, Selector: k.Selector, Result: k.Result})
	}
	if f.SPF.Result != "" && f.SPF.Identity == "mailfrom" {
		e.SPF = &dmarcreport.SPFResult{Domain: f.SPF.Domain, Scope: "mfrom", Result: f.SPF.Result}
	}
	return Stored{Entry: e, RUA: d.Record.RUA}, true
}

// disposition is what was done with the message (RFC 9990 §2.1.8).
func disposition(a txn.Action, result string) string {
	switch {
	case result == txn.ResultPass:
		return "pass"
	case a == txn.ActionReject || a == txn.ActionTempfail:
		return "reject"
	case a == txn.ActionQuarantine:
		return "quarantine"
	}
	return "none"
}

func yn(b bool) string {
	if b {
		return "y"
	}
	return "n"
}

// domainOf is the lower-cased domain of an address, "" without one.
func domainOf(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return ""
	}
	return strings.ToLower(addr[at+1:])
}
