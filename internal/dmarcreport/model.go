package dmarcreport

import "encoding/xml"

// Namespace is the XML namespace of aggregate reports (RFC 9990 §3).
const Namespace = "urn:ietf:params:xml:ns:dmarc-2.0"

// Feedback is the root element "feedback" of one report (RFC 9990 §2.1.1,
// element order as the schema's sequence).
type Feedback struct {
	XMLName   xml.Name        `xml:"urn:ietf:params:xml:ns:dmarc-2.0 feedback"`
	Version   string          `xml:"version"`
	Metadata  ReportMetadata  `xml:"report_metadata"`
	Published PolicyPublished `xml:"policy_published"`
	Records   []Record        `xml:"record"`
}

// ReportMetadata is "report_metadata".
type ReportMetadata struct {
	OrgName          string    `xml:"org_name"`
	Email            string    `xml:"email"`
	ExtraContactInfo string    `xml:"extra_contact_info,omitempty"`
	ReportID         string    `xml:"report_id"`
	DateRange        DateRange `xml:"date_range"`
	Error            string    `xml:"error,omitempty"`
	Generator        string    `xml:"generator,omitempty"`
}

// DateRange is the reporting period in seconds since the epoch (UTC).
type DateRange struct {
	Begin int64 `xml:"begin"`
	End   int64 `xml:"end"`
}

// PolicyPublished is "policy_published": the record that applied, its
// absent tags at their defaults.
type PolicyPublished struct {
	Domain          string `xml:"domain"`
	DiscoveryMethod string `xml:"discovery_method,omitempty"` // psl or treewalk
	P               string `xml:"p"`
	SP              string `xml:"sp,omitempty"`
	NP              string `xml:"np,omitempty"`
	FO              string `xml:"fo,omitempty"`
	ADKIM           string `xml:"adkim,omitempty"`
	ASPF            string `xml:"aspf,omitempty"`
	Testing         string `xml:"testing,omitempty"` // y or n
}

// Record is one "record": the messages of one source IP with the same
// evaluation, identifiers and authentication results.
type Record struct {
	Row         Row         `xml:"row"`
	Identifiers Identifiers `xml:"identifiers"`
	AuthResults AuthResults `xml:"auth_results"`
}

// Row is "row".
type Row struct {
	SourceIP        string          `xml:"source_ip"`
	Count           int64           `xml:"count"`
	PolicyEvaluated PolicyEvaluated `xml:"policy_evaluated"`
}

// PolicyEvaluated is "policy_evaluated": Disposition is none, pass,
// quarantine or reject; DKIM and SPF are the aligned results, pass or
// fail.
type PolicyEvaluated struct {
	Disposition string   `xml:"disposition"`
	DKIM        string   `xml:"dkim"`
	SPF         string   `xml:"spf"`
	Reasons     []Reason `xml:"reason,omitempty"`
}

// Reason is a policy override reason (RFC 9990 §2.1.5): Type is one of
// local_policy, mailing_list, other, policy_test_mode, trusted_forwarder.
type Reason struct {
	Type    string `xml:"type"`
	Comment string `xml:"comment,omitempty"`
}

// Identifiers is "identifiers": domains, not addresses.
type Identifiers struct {
	HeaderFrom   string  `xml:"header_from"`
	EnvelopeFrom *string `xml:"envelope_from"` // nil: not known; "": null reverse-path
	EnvelopeTo   string  `xml:"envelope_to,omitempty"`
}

// AuthResults is "auth_results": the results uninterpreted by DMARC.
type AuthResults struct {
	DKIM []DKIMResult `xml:"dkim"`
	SPF  *SPFResult   `xml:"spf"`
}

// DKIMResult is one signature's result (RFC 8601 §2.7.1 names).
type DKIMResult struct {
	Domain      string `xml:"domain"`
	Selector    string `xml:"selector"`
	Result      string `xml:"result"`
	HumanResult string `xml:"human_result,omitempty"`
}

// SPFResult is the MAIL FROM identity's result (RFC 8601 §2.7.2 names).
type SPFResult struct {
	Domain      string `xml:"domain"`
	Scope       string `xml:"scope,omitempty"` // mfrom
	Result      string `xml:"result"`
	HumanResult string `xml:"human_result,omitempty"`
}
