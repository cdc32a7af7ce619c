package txn

import (
	"net/netip"
	"regexp"
	"slices"
	"time"
)

// Result values shared by SPF, DKIM and DMARC (RFC 8601 §2.7).
const (
	ResultNone      = "none"
	ResultPass      = "pass"
	ResultFail      = "fail"
	ResultSoftfail  = "softfail"
	ResultNeutral   = "neutral"
	ResultPolicy    = "policy"
	ResultTemperror = "temperror"
	ResultPermerror = "permerror"
)

// SPF is the RFC 7208 result for one identity.
type SPF struct {
	// Result is one of none, neutral, pass, fail, softfail, temperror,
	// permerror (RFC 7208 §2.6).
	Result string
	// Identity is "mailfrom" or "helo" (RFC 7208 §2.3, §2.4).
	Identity string
	// Domain is the checked domain: the MAIL FROM domain, or the HELO name
	// when MAIL FROM is null.
	Domain string
	// Sender is the checked envelope sender (postmaster@HELO for helo).
	Sender string
	// Detail is the reason for temperror/permerror, empty otherwise.
	Detail string
}

// DKIM is the RFC 6376 result for one DKIM-Signature field.
type DKIM struct {
	Result    string // pass, fail, neutral, policy, temperror, permerror
	Domain    string // d= tag
	Selector  string // s= tag
	Identity  string // i= tag, if any
	Algorithm string // a= tag, e.g. rsa-sha256, ed25519-sha256
	HeaderB   string // first 8 characters of b= (RFC 8601 §2.7.1 header.b)
	Detail    string // reason for a non-pass result
}

// DMARC is the evaluation of the RFC 5322.From domain (RFC 9989;
// RFC 7489 records are read as RFC 9989 reads them).
type DMARC struct {
	// Result: pass, fail, none (no applicable record), temperror,
	// permerror (no single From domain).
	Result string
	// Domain is the RFC 5322.From domain (the Author Domain); empty when
	// there is none or more than one.
	Domain string
	// OrgDomain is Domain's Organizational Domain (RFC 9989 §4.10.2: the
	// DNS tree walk, or the PSL when so configured); Domain itself
	// without a record.
	OrgDomain string
	// PolicyDomain is where the record that applies was found.
	PolicyDomain string
	// Policy is the policy that applies to a message that did not pass:
	// "none", "quarantine", "reject" (PolicyTag's value), "" without a
	// record; for a pass, the record's p=.
	Policy string
	// PolicyTag is the tag Policy came from: "p", "sp" or "np" (RFC 9989
	// §4.10.1); "" for a pass or without a record.
	PolicyTag string
	// Testing is t=y (RFC 9989 §4.7): the Domain Owner asks that Policy
	// be applied one level lower (Requested).
	Testing bool
	// Requested is Policy as the Domain Owner asks it applied: one level
	// lower in testing mode (reject → quarantine, quarantine → none).
	Requested string
	// Pct is RFC 7489's pct= (0-100), 100 when absent; RFC 9989 removed
	// it (Appendix A.6) and milter91's rules do not use it.
	Pct         int
	SPFAligned  bool
	DKIMAligned bool
	// Record is the published record that applied, for aggregate
	// reports (RFC 9990 policy_published); nil without one.
	Record *DMARCRecord `json:",omitempty"`
	// Discovery is "treewalk" or "psl" (RFC 9990 discovery_method).
	Discovery string
	Detail    string
}

// ARC is the validation of the message's Authenticated Received Chain
// (RFC 8617 §5.2).
type ARC struct {
	// Result: pass, fail, none (no ARC field), temperror (a key lookup
	// failed temporarily); "" when not checked.
	Result string
	// Sealers are the d= of each ARC-Seal, instance 1 first; they vouch
	// for the chain only with pass.
	Sealers []string
	// OldestPass is the lowest instance whose ARC-Message-Signature still
	// verifies (RFC 8617 §5.2 step 5, header.oldest-pass); 0 without pass.
	OldestPass int
	// DMARC is the dmarc= result the newest sealer recorded in its
	// ARC-Authentication-Results ("pass", "fail", …), with pass only; ""
	// when it recorded none.
	DMARC  string
	Detail string
}

// DMARCRecord is what an aggregate report says of the published record
// (RFC 9990 §2.1.7 policy_published).
type DMARCRecord struct {
	P, SP, NP, FO string
	ADKIM, ASPF   string // "r" or "s"
	Testing       bool
	RUA           []string
	// RUF are the failure-report URIs (RFC 9991 §3, the ruf tag).
	RUF []string
}

// DNSBL is the answer of one blocklist zone about one target: the client
// IP or an IP-literal URL host (IP zones, RFC 5782 §2.1), or a domain of
// the message (domain zones: RHSBL and URIBL, RFC 5782 §2.2).
type DNSBL struct {
	Zone  string // e.g. "zen.spamhaus.org"
	Query string // the query name sent
	// Target is the address or domain asked about (after any
	// organizational-domain trimming), e.g. "192.0.2.1", "example.com".
	Target string
	// Sources say where Target came from: "client", "helo",
	// "mail_from", "from", "reply_to", "dkim", "url", "email".
	Sources []string
	// Answers are the A records returned inside 127.0.0.0/8.
	Answers []netip.Addr
	// Listed is true when at least one answer is a listing (not an error code).
	Listed bool
	// Blocked is true when the zone answered with an error code
	// (e.g. 127.255.255.254: query refused); never a listing.
	Blocked bool
	// Tags are the facts the zone's return-code mapping produced, e.g. "sbl".
	Tags []string
	// Secret zones are not named in SMTP replies.
	Secret bool
	// Result is "listed", "notlisted", "blocked" or "temperror".
	Result string
	// Detail describes an error or an ignored answer.
	Detail string
}

// ListName is the syntax of a local list name (daemon YAML lists[].name,
// the rules' blocklist and allowlist facts): letters, digits, "-", "_",
// ".", at most 63 characters, starting with a letter or digit.
var ListName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$`)

// ListHit is one local list entry that matched something of the message
// (Decree 91/2020 Art. 8, 9.12: the national IP/domain blacklist, and the
// operator's own block and allow lists).
type ListHit struct {
	List string `json:"list"` // the list's configured name
	Kind string `json:"kind"` // "block" or "allow"
	// Target is what matched: an address, a domain or an email address;
	// Sources say where it came from (as in DNSBL.Sources).
	Target  string   `json:"target"`
	Sources []string `json:"sources"`
	// Entry is the list entry that matched, e.g. "192.0.2.0/24",
	// "example.com", "=example.com", "user@example.com".
	Entry string `json:"entry"`
	// Reference and Requested are the authority's blocking request behind
	// the entry (Decree 91/2020 Art. 6.3, 9.4): its reference and its
	// date (YYYY-MM-DD); empty for an entry of the operator's own.
	Reference string `json:"reference,omitempty"`
	Requested string `json:"requested,omitempty"`
}

// Request names the authority's request of h, "" without one:
// "REF of 2026-11-02".
func (h *ListHit) Request() string {
	if h.Reference == "" {
		return ""
	}
	return h.Reference + " of " + h.Requested
}

// UserBlock is one entry of a recipient's own block list that matched the
// message's sender (Decree 91/2020 Art. 10.2).
type UserBlock struct {
	Rcpt string `json:"rcpt"` // the recipient whose list it is, lower-cased
	Kind string `json:"kind"` // "address", "domain" or "advertiser"
	// Entry is the blocked address, domain or advertiser id.
	Entry string `json:"entry"`
}

// SpamReport is what became of a feedback report (RFC 5965) mailed to
// the abuse mailbox (Decree 91/2020 Art. 10.2, 12.1).
type SpamReport struct {
	// Stored is true when the report was recorded (ID its record);
	// Problem says why not ("not a feedback report: …", a store error).
	Stored       bool   `json:"stored"`
	ID           int64  `json:"id,omitempty"`
	FeedbackType string `json:"feedback_type,omitempty"`
	Recipient    string `json:"recipient,omitempty"`
	Advertiser   string `json:"advertiser,omitempty"`
	// Refused is true when the report recorded a refusal of Advertiser
	// by Recipient.
	Refused bool   `json:"refused"`
	Problem string `json:"problem,omitempty"`
}

// Facts are everything the checks found about one message. Rules read them;
// checks write them; nothing in Facts is a decision.
type Facts struct {
	SPF   SPF
	DKIM  []DKIM
	DMARC DMARC
	// Relay is the trusted relay (trusted_networks) the message came
	// through, "" for none; the checks then judged ExternalIP, the first
	// untrusted hop its Received fields name, not the relay.
	Relay      string `json:"relay,omitempty"`
	ExternalIP string `json:"external_ip,omitempty"`
	ARC        ARC
	DNSBL      []DNSBL
	// Lists are the local list entries that matched, block and allow.
	Lists []ListHit
	// UserBlocks are the recipients' block-list entries that match the
	// sender; UserBlocksUnavailable is true when the store could not be
	// asked (the lists are then not applied: the mail is delivered).
	UserBlocks            []UserBlock
	UserBlocksUnavailable bool
	// FeedbackID is the Feedback-ID header value stamped on an outbound
	// ad to one recipient, recorded to map a redacted feedback report
	// back to that recipient; "" for none.
	FeedbackID string
	// Report is set when the message went to an abuse mailbox: the
	// feedback report it carried and what became of it.
	Report *SpamReport
	// FromAddresses are the RFC 5322.From addresses (lower-cased domain part).
	FromAddresses []string
	// FromStatus says what the From fields hold (mailmsg.FromStatus:
	// "ok", "missing", "empty", "unparsable"; RFC 5322 §3.6.2); "" when
	// the header was not read (the RCPT stage).
	FromStatus string
	// Subject is the decoded (RFC 2047) Subject, "" when absent.
	Subject string
	// Temperrors names the checks that timed out or hit a DNS SERVFAIL.
	Temperrors []string
	// CheckErrors names checks that failed internally (panic or error);
	// their presence means the fail mode applies.
	CheckErrors []string
	// Durations per check name ("spf", "dkim", "dmarc", "dnsbl", "rules").
	Durations map[string]time.Duration
	// Decree holds the Decree 91/2020 facts.
	Decree Decree
	// RateLimit is what the outbound rate limits found.
	RateLimit RateLimit
	// Bayes is the content classifier's verdict.
	Bayes Bayes
	// Content are the content signals (internal/content: "html_only",
	// "ip_link", …), sorted; nil when none or when the check is off.
	Content []string
	// DNSQueries is the number of DNS queries sent on the network (cache
	// hits excluded) for this message.
	DNSQueries int
	// DNSBLSkipped counts blocklist lookups not sent because the
	// message's blocklist query budget or its body-domain cap ran out.
	DNSBLSkipped int
}

// ClientListed reports whether an IP blocklist zone (a listing, never an
// error answer) or a local block list lists the client address: facts
// about what the client is, rather than about what it sent.
func (f *Facts) ClientListed() bool {
	for _, b := range f.DNSBL {
		if b.Listed && !b.Blocked && slices.Contains(b.Sources, "client") {
			return true
		}
	}
	for _, h := range f.Lists {
		if h.Kind == "block" && slices.Contains(h.Sources, "client") {
			return true
		}
	}
	return false
}
