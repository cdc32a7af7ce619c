package main

import (
	"fmt"
	"io"
	"net/netip"
	"strings"

	"milter91/internal/txn"
)

// checkReport is the `check --json` object.
type checkReport struct {
	Action    string         `json:"action"`
	Score     float64        `json:"score"`
	Required  float64        `json:"required"`
	SMTPReply *txn.Reply     `json:"smtp_reply"`
	Rules     []txn.Match    `json:"rules"`
	Auth      reportAuth     `json:"auth"`
	DNSBL     []reportDNSBL  `json:"dnsbl"`
	Skipped   int            `json:"dnsbl_skipped"`
	Lists     []txn.ListHit  `json:"lists"`
	Headers   []reportHeader `json:"headers"`
	Deleted   []reportHeader `json:"deleted_headers"`
	Temperror []string       `json:"temperrors"`
	Decree    *reportDecree  `json:"decree91"`
	Removed   []string       `json:"removed_rcpts"`
	Fault     string         `json:"fault,omitempty"`
	Limit     string         `json:"limit,omitempty"`
	Unsigned  string         `json:"dkim_unsigned,omitempty"`
	// Observed: mode observe applies to this message, so serve delivers
	// it with X-Milter91-Would and Action is the would-be verdict.
	Observed bool         `json:"observed,omitempty"`
	Queries  int          `json:"dns_queries"`
	Resolver resolverInfo `json:"resolver"`
}

type reportAuth struct {
	SPF   reportSPF    `json:"spf"`
	DKIM  []reportDKIM `json:"dkim"`
	DMARC reportDMARC  `json:"dmarc"`
	ARC   reportARC    `json:"arc"`
}

type reportARC struct {
	Result  string   `json:"result"`
	Sealers []string `json:"sealers"`
	Detail  string   `json:"detail,omitempty"`
}

type reportSPF struct {
	Result   string `json:"result"`
	Identity string `json:"identity"`
	Domain   string `json:"domain"`
	Detail   string `json:"detail,omitempty"`
}

type reportDKIM struct {
	Domain   string `json:"domain"`
	Selector string `json:"selector"`
	Result   string `json:"result"`
	Detail   string `json:"detail,omitempty"`
}

type reportDMARC struct {
	Result string `json:"result"`
	Policy string `json:"policy"`
	Domain string `json:"domain"`
	Detail string `json:"detail,omitempty"`
}

type reportDNSBL struct {
	Zone    string   `json:"zone"`
	Target  string   `json:"target"`
	Sources []string `json:"sources"`
	Answer  []string `json:"answer"`
	Listed  bool     `json:"listed"`
	Blocked bool     `json:"blocked"`
	Result  string   `json:"result"`
	Tags    []string `json:"tags,omitempty"`
}

type reportHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

func newReport(o *txn.Outcome, fault error) *checkReport {
	v, f := &o.Verdict, &o.Facts
	r := &checkReport{
		Action: v.Action.String(), Score: v.Score, Required: v.TagAt, Rules: v.Matches,
		Temperror: nonNil(f.Temperrors), Queries: f.DNSQueries, Skipped: f.DNSBLSkipped, Lists: f.Lists,
		Auth: reportAuth{
			SPF:   reportSPF{Result: f.SPF.Result, Identity: f.SPF.Identity, Domain: f.SPF.Domain, Detail: f.SPF.Detail},
			DMARC: reportDMARC{Result: f.DMARC.Result, Policy: f.DMARC.Policy, Domain: f.DMARC.Domain, Detail: f.DMARC.Detail},
			DKIM:  []reportDKIM{},
			ARC:   reportARC{Result: f.ARC.Result, Sealers: nonNil(f.ARC.Sealers), Detail: f.ARC.Detail},
		},
		DNSBL: []reportDNSBL{}, Headers: []reportHeader{}, Deleted: []reportHeader{},
		Removed: nonNil(o.RemoveRcpts), Unsigned: o.SignRefused, Observed: o.Observed,
	}
	if f.Decree.Direction != "" {
		r.Decree = newReportDecree(&f.Decree)
	}
	if r.Rules == nil {
		r.Rules = []txn.Match{}
	}
	if r.Lists == nil {
		r.Lists = []txn.ListHit{}
	}
	if v.Reply.Code != 0 {
		r.SMTPReply = &v.Reply
	}
	if fault != nil {
		r.Fault = fault.Error()
	}
	for _, d := range f.DKIM {
		r.Auth.DKIM = append(r.Auth.DKIM, reportDKIM{Domain: d.Domain, Selector: d.Selector, Result: d.Result, Detail: d.Detail})
	}
	for _, b := range f.DNSBL {
		r.DNSBL = append(r.DNSBL, reportDNSBL{Zone: b.Zone, Target: b.Target, Sources: nonNil(b.Sources),
			Answer: addrs(b.Answers), Listed: b.Listed, Blocked: b.Blocked, Result: b.Result, Tags: b.Tags})
	}
	for _, e := range o.Edits {
		h := reportHeader{Name: e.Name, Value: strings.TrimPrefix(e.Value, " ")}
		if e.Op == txn.EditDelete {
			h.Value = fmt.Sprintf("#%d", e.Index)
			r.Deleted = append(r.Deleted, h)
			continue
		}
		r.Headers = append(r.Headers, h)
	}
	return r
}

func addrs(as []netip.Addr) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	return out
}

// writeText prints the human form of the report.
func (r *checkReport) writeText(w io.Writer) {
	fmt.Fprintf(w, "action: %s (score %.1f, required %.1f)\n", r.Action, r.Score, r.Required)
	if r.Observed {
		fmt.Fprintln(w, "mode:   observe (serve delivers the message with X-Milter91-Would; nothing is enforced)")
	}
	if r.SMTPReply != nil {
		fmt.Fprintf(w, "reply:  %s\n", r.SMTPReply)
	}
	if r.Fault != "" {
		fmt.Fprintf(w, "fault:  %s\n", r.Fault)
	}
	if r.Limit != "" {
		fmt.Fprintf(w, "limit:  %s (serve rejects the message there; nothing was checked)\n", r.Limit)
		return
	}
	if r.Auth.SPF.Result == "" {
		fmt.Fprintln(w, "auth:   not checked (authenticated submission, skip_authenticated)")
	} else {
		r.writeAuth(w)
	}
	r.writeBlocklists(w)
	r.Decree.writeText(w)
	for _, rc := range r.Removed {
		fmt.Fprintf(w, "remove: %s\n", rc)
	}
	for _, m := range r.Rules {
		fmt.Fprintf(w, "rule:   %-24s %5.1f  %s  (%s)\n", m.ID, m.Score, m.Detail, m.Ref)
	}
	for _, h := range r.Headers {
		fmt.Fprintf(w, "header: %s: %s\n", h.Name, h.Value)
	}
	for _, h := range r.Deleted {
		fmt.Fprintf(w, "delete: %s %s\n", h.Name, h.Value)
	}
	if r.Unsigned != "" {
		fmt.Fprintf(w, "dkim:   not signed: %s\n", r.Unsigned)
	}
	fmt.Fprintf(w, "resolver: %s\n", r.Resolver)
	fmt.Fprintf(w, "dns queries: %d\n", r.Queries)
}

// writeBlocklists prints a line per blocklist fact and local list hit.
func (r *checkReport) writeBlocklists(w io.Writer) {
	for _, b := range r.DNSBL {
		fmt.Fprintf(w, "dnsbl:  %s %s %v %s (%s)\n", b.Zone, b.Result, b.Answer, b.Target, strings.Join(b.Sources, ","))
	}
	if r.Skipped > 0 {
		fmt.Fprintf(w, "dnsbl:  %d lookups skipped (dnsbl.max_queries, dnsbl.max_body_domains)\n", r.Skipped)
	}
	for _, l := range r.Lists {
		fmt.Fprintf(w, "list:   %s (%s) %s (%s) entry %s\n", l.List, l.Kind, l.Target, strings.Join(l.Sources, ","), l.Entry)
	}
}

// writeAuth prints the SPF, DKIM and DMARC lines.
func (r *checkReport) writeAuth(w io.Writer) {
	fmt.Fprintf(w, "spf:    %s (%s %s)\n", r.Auth.SPF.Result, r.Auth.SPF.Identity, r.Auth.SPF.Domain)
	for _, d := range r.Auth.DKIM {
		fmt.Fprintf(w, "dkim:   %s d=%s s=%s %s\n", d.Result, d.Domain, d.Selector, d.Detail)
	}
	if len(r.Auth.DKIM) == 0 {
		fmt.Fprintln(w, "dkim:   none")
	}
	fmt.Fprintf(w, "dmarc:  %s policy=%s domain=%s\n", r.Auth.DMARC.Result, r.Auth.DMARC.Policy, r.Auth.DMARC.Domain)
	line := "arc:    " + r.Auth.ARC.Result
	if len(r.Auth.ARC.Sealers) > 0 {
		line += " sealers=" + strings.Join(r.Auth.ARC.Sealers, ",")
	}
	if r.Auth.ARC.Detail != "" {
		line += " (" + r.Auth.ARC.Detail + ")"
	}
	fmt.Fprintln(w, line)
}
