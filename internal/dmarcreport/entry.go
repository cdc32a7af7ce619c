package dmarcreport

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Entry is the DMARC input of one evaluated message, as a store will keep
// it: everything an aggregate report says about the message, nothing
// more (no addresses, no content: RFC 9990 §7 privacy).
type Entry struct {
	Time     time.Time
	SourceIP netip.Addr
	// HeaderFrom is the Author Domain; EnvelopeFrom the MAIL FROM domain
	// ("" for a null reverse-path); EnvelopeTo the recipient domain
	// (optional).
	HeaderFrom, EnvelopeFrom, EnvelopeTo string
	// Policy is the record that applied, at its policy domain.
	Policy PolicyPublished
	// Disposition is what was done: none, pass, quarantine or reject.
	Disposition             string
	DKIMAligned, SPFAligned bool
	Reasons                 []Reason
	DKIM                    []DKIMResult
	SPF                     *SPFResult // nil when SPF was not checked
}

// Meta is the reporter's part of a report.
type Meta struct {
	OrgName, Email, ExtraContactInfo, Generator string
	// Receiver is the reporting domain, for the Report-ID and file name.
	Receiver   string
	Begin, End time.Time
}

// maxDKIMPerRecord bounds the signatures reported per record (RFC 9990
// §2.1.8 lets reporters limit them "within reason").
const maxDKIMPerRecord = 10

// Build returns one report per policy domain of entries (RFC 9990 §2.1:
// "a separate report MUST be generated for each DMARC Policy Domain"),
// sorted by domain. A report's policy_published is that of the domain's
// last entry in time (the final configuration observed); entries with
// the same source IP, evaluation, identifiers and results share one
// record with their count. Report-IDs are "<begin>.<domain>@<receiver>".
// Entries outside [Begin, End) are left out; memory is linear in the
// number of distinct records.
func Build(m Meta, entries []Entry) []*Feedback {
	type group struct {
		fb    *Feedback
		last  time.Time
		index map[string]int
	}
	groups := map[string]*group{}
	for _, e := range entries {
		if e.Time.Before(m.Begin) || !e.Time.Before(m.End) || e.Policy.Domain == "" {
			continue
		}
		d := strings.ToLower(e.Policy.Domain)
		g := groups[d]
		if g == nil {
			g = &group{fb: newFeedback(m, d), index: map[string]int{}}
			groups[d] = g
		}
		if !e.Time.Before(g.last) {
			g.last = e.Time
			g.fb.Published = e.Policy
			g.fb.Published.Domain = d
		}
		rec := record(e)
		kb, _ := xml.Marshal(rec) // by value: the pointers differ per entry
		k := string(kb)
		if i, ok := g.index[k]; ok {
			g.fb.Records[i].Row.Count++
			continue
		}
		rec.Row.Count = 1
		g.index[k] = len(g.fb.Records)
		g.fb.Records = append(g.fb.Records, rec)
	}
	out := make([]*Feedback, 0, len(groups))
	for _, g := range groups {
		out = append(out, g.fb)
	}
	slices.SortFunc(out, func(a, b *Feedback) int { return cmp.Compare(a.Published.Domain, b.Published.Domain) })
	return out
}

func newFeedback(m Meta, domain string) *Feedback {
	return &Feedback{
		Version: "1.0",
		Metadata: ReportMetadata{
			OrgName: m.OrgName, Email: m.Email, ExtraContactInfo: m.ExtraContactInfo, Generator: m.Generator,
			ReportID:  fmt.Sprintf("%d.%s@%s", m.Begin.Unix(), domain, m.Receiver),
			DateRange: DateRange{Begin: m.Begin.Unix(), End: m.End.Unix()},
		},
	}
}

// record is e's record with a count of 0.
func record(e Entry) Record {
	r := Record{
		Row: Row{SourceIP: e.SourceIP.Unmap().String(), PolicyEvaluated: PolicyEvaluated{
			Disposition: e.Disposition, DKIM: passFail(e.DKIMAligned), SPF: passFail(e.SPFAligned), Reasons: e.Reasons}},
		Identifiers: Identifiers{HeaderFrom: strings.ToLower(e.HeaderFrom), EnvelopeTo: strings.ToLower(e.EnvelopeTo)},
		AuthResults: AuthResults{DKIM: e.DKIM, SPF: e.SPF},
	}
	if e.SPF != nil {
		from := strings.ToLower(e.EnvelopeFrom)
		r.Identifiers.EnvelopeFrom = &from
	}
	if len(r.AuthResults.DKIM) > maxDKIMPerRecord {
		r.AuthResults.DKIM = r.AuthResults.DKIM[:maxDKIMPerRecord]
	}
	return r
}

func passFail(aligned bool) string {
	if aligned {
		return "pass"
	}
	return "fail"
}
