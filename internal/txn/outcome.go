package txn

// EditOp is a header change the milter adapter applies at end of message.
type EditOp string

// Header edit operations. None of them changes the bytes of a header it does
// not name: DKIM signatures over other headers stay valid.
const (
	// EditInsert inserts Name: Value at position Index (1 = top).
	EditInsert EditOp = "insert"
	// EditAdd appends Name: Value after the last header.
	EditAdd EditOp = "add"
	// EditDelete deletes the Index-th (1-based) header called Name.
	EditDelete EditOp = "delete"
	// EditChange replaces the value of the Index-th header called Name.
	EditChange EditOp = "change"
)

// HeaderEdit is one header change. For delete and change, Index counts only
// headers named Name, in arrival order, from 1 (milter SMFIR_CHGHEADER).
type HeaderEdit struct {
	Op    EditOp `json:"op"`
	Name  string `json:"name"`
	Value string `json:"value,omitempty"`
	Index int    `json:"index,omitempty"`
}

// Outcome is the result of evaluating one message: the facts, the verdict and
// the header edits to apply. Edits are listed in the order they must be
// applied; deletes come first and use the original indices.
type Outcome struct {
	Facts   Facts
	Verdict Verdict
	Edits   []HeaderEdit
	// RemoveRcpts are envelope recipients to delete (milter SMFIR_DELRCPT):
	// those that failed a per-recipient rule while others passed.
	RemoveRcpts []string `json:"remove_rcpts,omitempty"`
	// Quarantine holds the reason text for a quarantine (Postfix hold);
	// "" when the quarantine is a delivery to Junk.
	Quarantine string
	// Junk is set for a quarantine delivered with the Junk header fields
	// (in Edits) instead of held: the MTA is told to accept.
	Junk bool `json:"junk,omitempty"`
	// Observed is set when the verdict is not to be enforced (mode:
	// observe): the adapter accepts the message with Edits, which then
	// hold the header edits of an accepted message and the
	// X-Milter91-Would field naming Verdict; RemoveRcpts and Quarantine
	// stay empty. Verdict is the would-be one.
	Observed bool `json:"observed,omitempty"`
	// Sign, when set, asks the adapter to sign the message after its
	// header edits (accept, tag and quarantine only).
	Sign *Signing `json:"-"`
	// SignRefused says why outbound mail gets no DKIM signature (a SASL
	// user not allowed its From domain), "" otherwise.
	SignRefused string `json:"sign_refused,omitempty"`
	// Discard asks the MTA to accept the message and drop it (milter
	// SMFIR_DISCARD): a feedback report to the abuse mailbox once it is
	// stored, when reports.abuse_action is discard. Only with an accepting
	// verdict.
	Discard bool `json:"discard,omitempty"`
}
