package dmarcfail

import (
	"strings"

	"milter91/internal/txn"
)

// wanted builds the job of a: a message answered at its end (no fault,
// no deferral: the retry is evaluated again) whose DMARC result is fail
// under a record with ruf URIs, when the record's fo asks for it
// (RFC 9989 §4.7: 0 and 1 both hold for a DMARC fail, d a failed DKIM
// signature, s a failed SPF check).
func (r *Reporter) wanted(a txn.Answer) (job, bool) {
	if a.Outcome == nil || a.Fault != "" || a.Stage != "" || a.Action == txn.ActionTempfail {
		return job{}, false
	}
	f := &a.Outcome.Facts
	d := f.DMARC
	if d.Result != txn.ResultFail || d.Record == nil || len(d.Record.RUF) == 0 || d.PolicyDomain == "" || !foWants(d.Record.FO, f) {
		return job{}, false
	}
	rep := Report{
		From: r.cfg.From, ReportingMTA: r.cfg.ReportingMTA, UserAgent: r.cfg.UserAgent,
		Arrival: a.Time, SourceIP: a.Conn.ClientIP, MailFrom: a.MailFrom, Domain: d.Domain,
		AuthResults: authResults(a.Headers, r.cfg.ReportingMTA, d.Domain),
		SPFAligned:  d.SPFAligned, DKIMAligned: d.DKIMAligned, Delivery: delivery(a),
		Header: a.Headers, Redact: r.cfg.Redact,
	}
	return job{policyDomain: d.PolicyDomain, ruf: d.Record.RUF, rep: rep}, true
}

// foWants reports whether fo (colon-separated, default "0") asks for a
// report of a DMARC fail with facts f.
func foWants(fo string, f *txn.Facts) bool {
	if fo == "" {
		fo = "0"
	}
	for o := range strings.SplitSeq(fo, ":") {
		switch o {
		case "0", "1":
			return true
		case "d":
			for _, k := range f.DKIM {
				if k.Result == txn.ResultFail {
					return true
				}
			}
		case "s":
			if f.SPF.Result == txn.ResultFail {
				return true
			}
		}
	}
	return false
}

// authResults is the value of our Authentication-Results field in h (the
// one whose authserv-id is id), or a minimal one when it is missing.
func authResults(h []txn.Header, id, domain string) string {
	for _, f := range h {
		if !strings.EqualFold(f.Name, "Authentication-Results") {
			continue
		}
		v := strings.TrimSpace(oneLine(f.Value))
		if rest, ok := strings.CutPrefix(v, id); ok && (rest == "" || rest[0] == ';' || rest[0] == ' ') {
			return v
		}
	}
	return id + "; dmarc=fail header.from=" + domain
}

// delivery is the Delivery-Result of a (RFC 6591 §3.1).
func delivery(a txn.Answer) string {
	switch {
	case a.Action == txn.ActionReject:
		return "reject"
	case a.Junk:
		return "spam"
	case a.Action == txn.ActionQuarantine || a.Discarded:
		return "policy"
	}
	return "delivered"
}
