package txn

// Direction of a message under Decree 91/2020: inbound ads reach local
// users (MX); outbound ads leave for customers (submission/relay).
const (
	DirectionInbound  = "inbound"
	DirectionOutbound = "outbound"
)

// Label values (Decree 91/2020 Art. 18): the Subject after RFC 2047
// decoding, NFC and leading-whitespace trimming.
const (
	LabelOK          = "ok"          // starts with an allowed label ([QC], [AD])
	LabelMissing     = "missing"     // no label anywhere
	LabelMisplaced   = "misplaced"   // an allowed label later in the Subject
	LabelLegacy      = "legacy"      // [ADV]
	LabelNonstandard = "nonstandard" // other case, full-width or other brackets
)

// Opt-out channels (Decree 91/2020 Art. 20.2) and advertiser information
// items (Art. 19).
const (
	ChannelWeb   = "web"
	ChannelEmail = "email"
	ChannelPhone = "phone"

	InfoName    = "name"
	InfoPhone   = "phone"
	InfoEmail   = "email"
	InfoAddress = "address"
)

// DecreeAnalysis is what the message itself says (no registry lookups).
type DecreeAnalysis struct {
	// Advertising is true when the message is an advertising email
	// (Art. 3.1) by a label or by bulk/marketing signals.
	Advertising bool
	// Signals explain Advertising, e.g. "label", "list-unsubscribe",
	// "list-unsubscribe-post", "list-id", "precedence:bulk",
	// "optout-block", "header:x-campaign-id", "phrase:khuyến mãi".
	Signals []string
	// Label is one of the Label* values; LabelText the label as written
	// ("[QC]", "[qc]", "【QC】") when one was found.
	Label     string
	LabelText string
	// OptOut is true when a refusal statement was found in the last text
	// part (Art. 20.1).
	OptOut bool
	// Channels present in the opt-out block and missing from it
	// (Art. 20.2), each from ChannelWeb, ChannelEmail, ChannelPhone.
	Channels        []string
	MissingChannels []string
	// RefusalMailboxes are the addresses a recipient can write to in order
	// to refuse: List-Unsubscribe mailto: targets and the opt-out block's
	// email channel, lower-cased.
	RefusalMailboxes []string
	// Info present just before the opt-out block and missing (Art. 19),
	// each from InfoName, InfoPhone, InfoEmail, InfoAddress.
	Info        []string
	MissingInfo []string
	// Advertiser is the advertiser id: the organizational domain of the
	// aligned DKIM d=, else of the From domain ("" when neither exists).
	Advertiser string
}

// DecreeRecipient is what the registry says about one recipient.
type DecreeRecipient struct {
	Rcpt string
	// Consent is true when a consent for (advertiser, Rcpt) is recorded
	// and not revoked (Art. 11.2).
	Consent bool
	// Cap is the number of ads allowed per rolling 24 h: 3 (Art. 13.5), or
	// the agreed maximum recorded with the consent.
	Cap int
	// Refused is true when a refusal covering this message is recorded
	// (Art. 13.4, 20.3).
	Refused bool
	// Sent24h counts the ads from the advertiser to Rcpt accepted in the
	// 24 h before this message, this message not included.
	Sent24h int
}

// Decree are the Decree 91/2020 facts of one message.
type Decree struct {
	Direction string
	DecreeAnalysis
	// Recipients in envelope order; filled only for advertising mail. The
	// rules are evaluated once per recipient then (rules.Input.Recipient).
	Recipients []DecreeRecipient
	// RegistryUnavailable is true when the registry failed for this
	// advertising message (store unreachable, timeout): consent, refusal
	// and the 24 h count are unknown and Recipients is empty.
	RegistryUnavailable bool
}
