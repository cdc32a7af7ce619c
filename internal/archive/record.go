// Package archive keeps the header block of every message with its
// envelope and verdict for the retention Decree 91/2020 Art. 10.6 requires
// (at least 180 days), and the daily counts the statistics reports of
// Art. 10.7 are built from. Records are written in batches off the
// milter's hot path, to a SQLite file or a PostgreSQL server
// (internal/sqldb).
package archive

import (
	"time"

	"milter91/internal/txn"
)

// Record is one message as the MTA was answered. Strings are as received
// (addresses without angle brackets); slices may be empty.
type Record struct {
	// Time is when the answer was sent (UTC, stored to the millisecond).
	Time time.Time `json:"time"`
	// QueueID is Postfix's queue ID (macro i); "" when unknown.
	QueueID string `json:"queue_id"`
	// Direction is "inbound", "outbound" or "" (Decree 91 stage off).
	Direction  string `json:"direction"`
	ClientIP   string `json:"client_ip"`
	ClientName string `json:"client_name"`
	HELO       string `json:"helo"`
	// MailFrom is the envelope sender; "" for the null reverse-path.
	MailFrom string   `json:"mail_from"`
	Rcpts    []string `json:"rcpts"`
	// MessageID, From and Subject are copied from Header for searching
	// (Message-ID without angle brackets, From's address lower-cased).
	MessageID string `json:"message_id"`
	From      string `json:"from"`
	Subject   string `json:"subject"`
	// Header is the header block as delivered: the received fields with
	// the ones we added or changed, "Name: value" lines joined by CRLF.
	// Empty for a message answered before its headers (RCPT reject).
	Header string `json:"header"`
	// Action is the answer: accept, tag, quarantine, tempfail, reject.
	Action string  `json:"action"`
	Score  float64 `json:"score"`
	// Rules are the ids of the rules that matched, in verdict order.
	Rules []string `json:"rules"`
	// Articles are the Decree 91/2020 articles those rules cite ("Art. 18").
	Articles []string `json:"articles"`
	// Advertiser is the advertiser's organizational domain for
	// advertising mail (Art. 3), else "".
	Advertiser string `json:"advertiser"`
	// Reply is the SMTP reply for tempfail and reject ("550 5.7.1 …").
	Reply string `json:"reply"`
	// Size is the message size in bytes (header and body).
	Size int64 `json:"size"`
	// Stage is StageRCPT for a client refused at RCPT, before DATA (no
	// header block, no rule ran, no Decree 91 direction); "" for a message
	// answered at its end. Such a record is stored and counted with the
	// direction DirectionRCPTStage.
	Stage string `json:"stage,omitempty"`
	// BlockedClient says the message was refused (reject or tempfail) for
	// what its client is: at RCPT, or while an IP blocklist or a local
	// block list listed the client address, and not an authenticated
	// submission. Only such messages count under "blocked_ip"; it is not
	// kept with the header row.
	BlockedClient bool `json:"blocked_client,omitempty"`
	// Throttled is the sender a rate limit deferred or refused this
	// message for, as "scope value" ("sasl_user alice@example.com"); only
	// counted (under "throttled"), not kept with the header row.
	Throttled string `json:"throttled,omitempty"`
	// Would is, in observe mode, the action that would have been taken
	// (Action is then what the MTA was told); "" otherwise. It is counted
	// under DimWould and not kept with the header row.
	Would string `json:"would,omitempty"`
	// Requests are the authority's blocking requests (Decree 91/2020
	// Art. 6.3, 9.4) behind the block-list entries the message matched,
	// "list: REF of YYYY-MM-DD"; counted under DimRequest, not kept with
	// the header row.
	Requests []string `json:"requests,omitempty"`
}

// StageRCPT is Record.Stage of a client refused at RCPT.
const StageRCPT = txn.StageRCPT

// DirectionRCPTStage is the Count.Direction of clients refused at RCPT:
// Decree 91 did not run, so no direction is known.
const DirectionRCPTStage = "rcpt"

// Count is one line of the daily counts behind the Art. 10.7 reports: N
// messages on Day (UTC midnight) in Direction ("inbound", "outbound", ""
// with the Decree 91 stage off, DirectionRCPTStage for clients refused at
// RCPT) whose Dimension has Key. Dimensions: "action" (key: the action),
// "rule" (rule id), "article" (e.g. "Art. 18"), "advertiser" (domain),
// "blocked_ip" (client IP of a message refused for what its client is,
// Record.BlockedClient), "throttled" (the sender a rate limit held,
// Record.Throttled), "would" (the would-be action of a message in
// observe mode, Record.Would), "authority_request" (Record.Requests).
// Every message counts once under "action"; under
// the others once per distinct key.
type Count struct {
	Day       time.Time `json:"day"`
	Direction string    `json:"direction"`
	Dimension string    `json:"dimension"`
	Key       string    `json:"key"`
	N         int64     `json:"n"`
}

// Dimensions of Count, in report order.
const (
	DimAction     = "action"
	DimRule       = "rule"
	DimArticle    = "article"
	DimAdvertiser = "advertiser"
	DimBlockedIP  = "blocked_ip"
	DimThrottled  = "throttled"
	DimRequest    = "authority_request"
	// DimWould counts the messages of observe mode by the action that
	// would have been taken (Record.Would).
	DimWould = "would"
)
